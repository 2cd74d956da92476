import { sendJson } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { bodyObject } from '../customers.routes.js';
import { Issues, checkOptionalText } from '../emulator.validation.js';
import { ValidationFailure } from '../emulator.http.js';
import { checkUuid4 } from '../emulator.validation.js';
import {
  AlreadyCanceledSubscription,
  type BillingStore,
  type ProrationBehavior,
  type StoredSubscription,
} from './billing.store.js';
import { resolveSubscriptionDiscount } from './discounts.routes.js';
import {
  billingRoute,
  boolQuery,
  checkBool,
  checkEnum,
  checkInt,
  lookup,
  nullable,
  parsePagination,
  sendPage,
  throwIfAny,
  uuidFilter,
} from './billing.http.js';

const SUBSCRIPTIONS_READ = ['subscriptions:read', 'subscriptions:write'];
const SUBSCRIPTIONS_WRITE = ['subscriptions:write'];
const ORDERS_READ = ['orders:read', 'orders:write'];
const REASONS = [
  'customer_service',
  'low_quality',
  'missing_features',
  'switched_service',
  'too_complex',
  'too_expensive',
  'unused',
  'other',
] as const;

const PRORATIONS = ['invoice', 'prorate', 'next_period', 'reset'] as const;
/** The organization's default (`Organization.proration_behavior`) when the body names none. */
const DEFAULT_PRORATION: ProrationBehavior = 'prorate';

/** `proration_behavior` of a product or seat change; `reset` is a feature Polar keeps off unless enabled. */
function parseProration(body: Record<string, unknown>, form: string, issues: Issues): ProrationBehavior {
  const behavior = nullable(body.proration_behavior, ['body', form, 'proration_behavior'], issues, (v, l, i) =>
    checkEnum(v, PRORATIONS, l, i),
  );
  throwIfAny(issues);
  if (behavior === 'reset')
    throw ValidationFailure.polar(
      'proration_behavior',
      "The 'reset' proration behavior is not enabled for this organization.",
      behavior,
    );
  return behavior ?? DEFAULT_PRORATION;
}

interface CancellationFields {
  reason: string | null;
  comment: string | null;
}

function parseCancellation(body: Record<string, unknown>, issues: Issues): CancellationFields {
  const reason = nullable(
    body.customer_cancellation_reason,
    ['body', 'customer_cancellation_reason'],
    issues,
    (v, l, i) => checkEnum(v, REASONS, l, i),
  );
  const comment = nullable(
    body.customer_cancellation_comment,
    ['body', 'customer_cancellation_comment'],
    issues,
    checkOptionalText,
  );
  return { reason, comment };
}

/**
 * Applies the seat (`seats`), product (`product_id`), cancel/uncancel (`cancel_at_period_end`) or revoke
 * (`revoke: true`) forms of SubscriptionUpdate.
 */
function update(store: BillingStore, subscription: StoredSubscription, raw: unknown): void {
  const body = bodyObject(raw);
  const issues = new Issues();
  if (body.seats !== undefined) {
    const seats = checkInt(body.seats, ['body', 'SubscriptionUpdateSeats', 'seats'], issues);
    const behavior = parseProration(body, 'SubscriptionUpdateSeats', issues);
    store.changeSeats(subscription, seats!, behavior);
    return;
  }
  if (body.product_id !== undefined && body.product_id !== null) {
    const productId = checkUuid4(body.product_id, ['body', 'SubscriptionUpdateBase', 'product_id'], issues);
    const behavior = parseProration(body, 'SubscriptionUpdateBase', issues);
    const product = store.products.get(productId!);
    if (!product) throw ValidationFailure.polar('product_id', 'Product does not exist.', productId);
    store.changeProduct(subscription, product, behavior);
    return;
  }
  if ('discount_id' in body) {
    // Polar's `update_discount`: applies from the next cycle; `null` removes the discount.
    if (subscription.status === 'canceled') throw new AlreadyCanceledSubscription();
    const product = store.products.get(subscription.product_id)!;
    const current = (subscription.discount_id as string | null) ?? null;
    store.setSubscriptionDiscount(subscription, resolveSubscriptionDiscount(store, product, current, body.discount_id));
    return;
  }
  const cancellation = parseCancellation(body, issues);
  if (body.revoke !== undefined) {
    if (body.revoke !== true)
      issues.add('literal_error', ['body', 'SubscriptionRevoke', 'revoke'], 'Input should be True', body.revoke, {
        expected: 'True',
      });
    throwIfAny(issues);
    store.revoke(subscription, cancellation.reason, cancellation.comment);
    return;
  }
  if (body.cancel_at_period_end !== undefined) {
    const cancel = checkBool(body.cancel_at_period_end, ['body', 'SubscriptionCancel', 'cancel_at_period_end'], issues);
    throwIfAny(issues);
    store.setCancelAtPeriodEnd(subscription, cancel!, cancellation.reason, cancellation.comment);
    return;
  }
  // Billing periods, pauses and trials are not emulated yet: answer honestly.
  issues.add('missing', ['body', 'SubscriptionCancel', 'cancel_at_period_end'], 'Field required', body);
  throwIfAny(issues);
}

/** Polar's `SubscriptionStatus`, the values of the list's `status` filter. */
const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
];

/** Routes of `/v1/subscriptions/` and `/v1/orders/`. */
export function subscriptionRoutes(store: BillingStore): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/subscriptions/',
      scopes: SUBSCRIPTIONS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const customers = uuidFilter(ctx.query, 'customer_id', issues);
        const products = uuidFilter(ctx.query, 'product_id', issues);
        const active = boolQuery(ctx.query, 'active', issues);
        const statuses = ctx.query.getAll('status');
        for (const status of statuses) {
          if (!SUBSCRIPTION_STATUSES.includes(status))
            issues.add(
              'enum',
              ['query', 'status'],
              `Input should be ${SUBSCRIPTION_STATUSES.map((s) => `'${s}'`).join(', ')}`,
              status,
            );
        }
        throwIfAny(issues);
        const external = ctx.query.getAll('external_customer_id');
        const items = [...store.subscriptions.values()]
          .filter((s) => !customers || customers.includes(s.customer_id))
          .filter((s) => !products || products.includes(s.product_id))
          .filter(
            (s) =>
              external.length === 0 || external.includes(store.customers.findById(s.customer_id)?.external_id ?? ''),
          )
          .filter((s) => active === null || (s.status === 'active' || s.status === 'trialing') === active)
          .filter((s) => statuses.length === 0 || statuses.includes(s.status))
          .reverse()
          .map((s) => store.subscriptionView(s));
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/subscriptions/:id',
      scopes: SUBSCRIPTIONS_READ,
      handle: (ctx) => sendJson(ctx, 200, store.subscriptionView(lookup(store.subscriptions, ctx))),
    },
    {
      method: 'PATCH',
      pattern: '/v1/subscriptions/:id',
      scopes: SUBSCRIPTIONS_WRITE,
      handle: (ctx) => {
        const subscription = lookup(store.subscriptions, ctx);
        update(store, subscription, ctx.body);
        sendJson(ctx, 200, store.subscriptionView(subscription));
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/subscriptions/:id',
      scopes: SUBSCRIPTIONS_WRITE,
      handle: (ctx) => {
        const subscription = lookup(store.subscriptions, ctx);
        store.revoke(subscription);
        sendJson(ctx, 200, store.subscriptionView(subscription));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/orders/',
      scopes: ORDERS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const customers = uuidFilter(ctx.query, 'customer_id', issues);
        const products = uuidFilter(ctx.query, 'product_id', issues);
        throwIfAny(issues);
        const items = [...store.orders.values()]
          .filter((o) => !customers || customers.includes(o.customer_id))
          .filter((o) => !products || products.includes(o.product_id as string))
          .reverse()
          .map((o) => store.orderView(o));
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/orders/:id',
      scopes: ORDERS_READ,
      handle: (ctx) => sendJson(ctx, 200, store.orderView(lookup(store.orders, ctx))),
    },
  ];
  return routes.map(billingRoute);
}
