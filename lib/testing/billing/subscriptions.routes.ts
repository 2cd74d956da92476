import { sendJson } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { bodyObject } from '../customers.routes.js';
import { Issues, checkDatetime, checkMetadata, checkOptionalText, type Loc } from '../emulator.validation.js';
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

/** The keys of each SubscriptionUpdate form (all forbid extra keys, so the keys tell which form a body is). */
const FORMS = {
  SubscriptionUpdateBase: ['metadata', 'product_id', 'proration_behavior', 'discount_id', 'trial_end'],
  SubscriptionUpdateSeats: ['seats', 'proration_behavior'],
  SubscriptionUpdateBillingPeriod: ['current_billing_period_end'],
  SubscriptionCancel: ['cancel_at_period_end', 'customer_cancellation_reason', 'customer_cancellation_comment'],
  SubscriptionRevoke: ['revoke', 'customer_cancellation_reason', 'customer_cancellation_comment'],
  SubscriptionPause: ['pause_at_period_end', 'resumes_at'],
  SubscriptionResume: ['resume'],
  SubscriptionUpdateClear: ['pending_update'],
} as const;
type Form = keyof typeof FORMS;
/** The key that makes a body one form rather than another; SubscriptionUpdateBase is the rest. */
const FORM_KEYS: [string, Form][] = [
  ['seats', 'SubscriptionUpdateSeats'],
  ['current_billing_period_end', 'SubscriptionUpdateBillingPeriod'],
  ['cancel_at_period_end', 'SubscriptionCancel'],
  ['revoke', 'SubscriptionRevoke'],
  ['pause_at_period_end', 'SubscriptionPause'],
  ['resume', 'SubscriptionResume'],
  ['pending_update', 'SubscriptionUpdateClear'],
];

function formOf(body: Record<string, unknown>, issues: Issues): Form {
  const form = FORM_KEYS.find(([key]) => key in body)?.[1] ?? 'SubscriptionUpdateBase';
  const allowed: readonly string[] = FORMS[form];
  for (const key of Object.keys(body))
    if (!allowed.includes(key))
      issues.add('extra_forbidden', ['body', form, key], 'Extra inputs are not permitted', body[key]);
  return form;
}

/** A pydantic `FutureDatetime` (in the future of the emulator's clock). */
function checkFutureDatetime(store: BillingStore, value: unknown, loc: Loc, issues: Issues): Date | undefined {
  if (typeof value !== 'string') {
    issues.add('datetime_type', loc, 'Input should be a valid datetime', value);
    return undefined;
  }
  const parsed = checkDatetime(value, loc, issues);
  if (parsed === undefined) return undefined;
  if (parsed.getTime() <= store.clock().getTime()) {
    issues.add('datetime_future', loc, 'Input should be in the future', value);
    return undefined;
  }
  return parsed;
}

/** SubscriptionUpdateBase: a product change, then the trial end, then metadata, as Polar's `update` applies them. */
function updateBase(
  store: BillingStore,
  subscription: StoredSubscription,
  body: Record<string, unknown>,
  issues: Issues,
): void {
  const form = 'SubscriptionUpdateBase';
  const productId = nullable(body.product_id, ['body', form, 'product_id'], issues, checkUuid4);
  const discountId = nullable(body.discount_id, ['body', form, 'discount_id'], issues, checkUuid4);
  let trialEnd: Date | 'now' | null = null;
  if (body.trial_end !== undefined && body.trial_end !== null)
    trialEnd =
      body.trial_end === 'now'
        ? 'now'
        : (checkFutureDatetime(store, body.trial_end, ['body', form, 'trial_end'], issues) ?? null);
  const metadata =
    body.metadata === undefined ? null : (checkMetadata(body.metadata, ['body', form, 'metadata'], issues) ?? null);
  const behavior = parseProration(body, form, issues);
  throwIfAny(issues);
  if (productId) {
    const product = store.products.get(productId);
    if (!product) throw ValidationFailure.polar('product_id', 'Product does not exist.', productId);
    store.changeProduct(subscription, product, behavior);
  } else if ('discount_id' in body) {
    // Polar's `update_discount` (only without a product change): from the next cycle; `null` removes it.
    if (subscription.status === 'canceled') throw new AlreadyCanceledSubscription();
    const product = store.products.get(subscription.product_id)!;
    const current = (subscription.discount_id as string | null) ?? null;
    store.setSubscriptionDiscount(
      subscription,
      resolveSubscriptionDiscount(store, product, current, discountId ?? null),
    );
  }
  if (trialEnd !== null || metadata !== null) store.updateTrialAndMetadata(subscription, trialEnd, metadata);
}

/** Applies one of the SubscriptionUpdate forms of `PATCH /v1/subscriptions/{id}` (the body's keys pick it). */
function update(store: BillingStore, subscription: StoredSubscription, raw: unknown): void {
  const body = bodyObject(raw);
  const issues = new Issues();
  const form = formOf(body, issues);
  switch (form) {
    case 'SubscriptionUpdateBase':
      return updateBase(store, subscription, body, issues);
    case 'SubscriptionUpdateSeats': {
      const seats = checkInt(body.seats, ['body', form, 'seats'], issues);
      const behavior = parseProration(body, form, issues);
      store.changeSeats(subscription, seats!, behavior);
      return;
    }
    case 'SubscriptionUpdateBillingPeriod': {
      const end = checkFutureDatetime(
        store,
        body.current_billing_period_end,
        ['body', form, 'current_billing_period_end'],
        issues,
      );
      throwIfAny(issues);
      store.setCurrentPeriodEnd(subscription, end!);
      return;
    }
    case 'SubscriptionRevoke': {
      const cancellation = parseCancellation(body, issues);
      if (body.revoke !== true)
        issues.add('literal_error', ['body', form, 'revoke'], 'Input should be True', body.revoke, {
          expected: 'True',
        });
      throwIfAny(issues);
      store.revoke(subscription, cancellation.reason, cancellation.comment);
      return;
    }
    case 'SubscriptionCancel': {
      const cancellation = parseCancellation(body, issues);
      const cancel = checkBool(body.cancel_at_period_end, ['body', form, 'cancel_at_period_end'], issues);
      throwIfAny(issues);
      store.setCancelAtPeriodEnd(subscription, cancel!, cancellation.reason, cancellation.comment);
      return;
    }
    case 'SubscriptionPause': {
      const pause = checkBool(body.pause_at_period_end, ['body', form, 'pause_at_period_end'], issues);
      const resumesAt = nullable(body.resumes_at, ['body', form, 'resumes_at'], issues, (v, l, i) =>
        checkFutureDatetime(store, v, l, i),
      );
      throwIfAny(issues);
      if (pause) store.schedulePause(subscription, resumesAt ?? null);
      else store.cancelScheduledPause(subscription);
      return;
    }
    case 'SubscriptionResume':
      if (body.resume !== true)
        issues.add('literal_error', ['body', form, 'resume'], 'Input should be True', body.resume, {
          expected: 'True',
        });
      throwIfAny(issues);
      store.resume(subscription);
      return;
    case 'SubscriptionUpdateClear':
      if (body.pending_update !== null)
        issues.add('none_required', ['body', form, 'pending_update'], 'Input should be None', body.pending_update);
      throwIfAny(issues);
      store.clearPendingUpdate(subscription);
      return;
  }
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
