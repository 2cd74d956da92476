import { ValidationFailure, sendJson } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { bodyObject } from '../customers.routes.js';
import { Issues, checkMetadata, checkOptionalText, checkUuid4 } from '../emulator.validation.js';
import type { BillingStore, RefundRequest } from './billing.store.js';
import {
  billingRoute,
  boolQuery,
  checkBool,
  checkEnum,
  checkInt,
  nullable,
  parsePagination,
  required,
  sendPage,
  throwIfAny,
  uuidFilter,
} from './billing.http.js';

const REFUNDS_READ = ['refunds:read', 'refunds:write'];
const REFUNDS_WRITE = ['refunds:write'];
/** Polar's ManualRefundReason (`dispute_prevention` is Polar's own). */
const REASONS = [
  'duplicate',
  'fraudulent',
  'customer_request',
  'service_disruption',
  'satisfaction_guarantee',
  'other',
] as const;

/** Validates a `POST /v1/refunds/` body (RefundCreate); the order must exist (422 `Order not found`). */
export function parseRefundCreate(store: BillingStore, raw: unknown): RefundRequest {
  const body = bodyObject(raw);
  const issues = new Issues();
  const orderId = required(body, 'order_id', ['body'], issues)
    ? checkUuid4(body.order_id, ['body', 'order_id'], issues)
    : undefined;
  const reason = required(body, 'reason', ['body'], issues)
    ? checkEnum(body.reason, REASONS, ['body', 'reason'], issues)
    : undefined;
  let amount: number | undefined;
  if (required(body, 'amount', ['body'], issues)) {
    amount = checkInt(body.amount, ['body', 'amount'], issues);
    if (amount !== undefined && amount <= 0) {
      issues.add('greater_than', ['body', 'amount'], 'Input should be greater than 0', body.amount, { gt: 0 });
      amount = undefined;
    }
  }
  const comment = nullable(body.comment, ['body', 'comment'], issues, checkOptionalText);
  const revoke =
    body.revoke_benefits === undefined ? false : checkBool(body.revoke_benefits, ['body', 'revoke_benefits'], issues);
  const metadata = body.metadata === undefined ? {} : checkMetadata(body.metadata, ['body', 'metadata'], issues);
  throwIfAny(issues);
  const order = store.orders.get(orderId!);
  if (!order) throw ValidationFailure.polar('order_id', 'Order not found', orderId);
  return { order, reason: reason!, amount: amount!, comment, revoke_benefits: revoke!, metadata: metadata! };
}

/** Routes of `/v1/refunds/`. */
export function refundRoutes(store: BillingStore): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/refunds/',
      scopes: REFUNDS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const orders = uuidFilter(ctx.query, 'order_id', issues);
        const subscriptions = uuidFilter(ctx.query, 'subscription_id', issues);
        const customers = uuidFilter(ctx.query, 'customer_id', issues);
        const succeeded = boolQuery(ctx.query, 'succeeded', issues);
        throwIfAny(issues);
        const items = [...store.refunds.values()]
          .filter((r) => !orders || orders.includes(r.order_id))
          .filter((r) => !subscriptions || subscriptions.includes(String(r.subscription_id)))
          .filter((r) => !customers || customers.includes(r.customer_id))
          .filter((r) => succeeded === null || (r.status === 'succeeded') === succeeded)
          .reverse();
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/refunds/',
      scopes: REFUNDS_WRITE,
      handle: (ctx) => sendJson(ctx, 201, structuredClone(store.refund(parseRefundCreate(store, ctx.body)))),
    },
  ];
  return routes.map(billingRoute);
}
