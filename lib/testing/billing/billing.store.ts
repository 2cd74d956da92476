import { randomUUID } from 'node:crypto';
import { ValidationFailure } from '../emulator.http.js';
import { BillingFailure } from './billing.http.js';
import type { EmulatorStore } from '../emulator.store.js';
import { randomAlphanumeric } from '../emulator.store.js';
import type { PolarEmulatorCustomer, PolarEmulatorMetadata } from '../emulator.types.js';

/** Any JSON object the billing store keeps (shapes follow Polar's API, version 2026-10). */
export type Resource = Record<string, unknown> & { id: string };

/** A price as the product's `prices` list returns it. */
export type StoredPrice = Resource & { amount_type: 'fixed' | 'custom' | 'seat_based' | 'metered_unit' };

/** Product as stored: the API shape plus the benefit ids attached to it. */
export type StoredProduct = Resource & {
  prices: StoredPrice[];
  benefits: Resource[];
  is_recurring: boolean;
  is_archived: boolean;
  recurring_interval: 'month' | 'year' | 'week' | 'day' | null;
  recurring_interval_count: number | null;
  name: string;
};

export type StoredCheckout = Resource & {
  status: 'open' | 'expired' | 'confirmed' | 'succeeded' | 'failed';
  client_secret: string;
  product_id: string;
  customer_id: string | null;
  customer_email: string | null;
  external_customer_id: string | null;
  success_url: string | null;
  expires_at: string;
  total_amount: number;
  subscription_id: string | null;
};

export type StoredSubscription = Resource & {
  status: 'incomplete' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid';
  customer_id: string;
  product_id: string;
  current_period_start: string;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  amount: number;
};

export type StoredOrder = Resource & { status: 'pending' | 'paid'; paid: boolean; customer_id: string };

export type StoredGrant = Resource & {
  customer_id: string;
  benefit_id: string;
  subscription_id: string | null;
  order_id: string | null;
  is_granted: boolean;
  is_revoked: boolean;
};

export type StoredEvent = Resource & {
  name: string;
  customer_id: string | null;
  external_customer_id: string | null;
  external_id: string | null;
  metadata: PolarEmulatorMetadata;
};

export interface MeterClause {
  property: string;
  operator: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'not_like';
  value: string | number | boolean;
}
export interface MeterFilter {
  conjunction: 'and' | 'or';
  clauses: (MeterClause | MeterFilter)[];
}
export type MeterAggregation =
  { func: 'count' } | { func: 'sum' | 'max' | 'min' | 'avg'; property: string } | { func: 'unique'; property: string };

export type StoredMeter = Resource & { name: string; filter: MeterFilter; aggregation: MeterAggregation };

/** A webhook event the billing store emits. */
export interface BillingEvent {
  type: string;
  data: unknown;
}

const CHECKOUT_LIFETIME_MS = 60 * 60 * 1000;

/** Adds `count` intervals to a date the way Polar cycles subscriptions (calendar months and years). */
export function addInterval(from: Date, interval: string, count: number): Date {
  const next = new Date(from.getTime());
  switch (interval) {
    case 'day':
      next.setUTCDate(next.getUTCDate() + count);
      break;
    case 'week':
      next.setUTCDate(next.getUTCDate() + 7 * count);
      break;
    case 'month':
      next.setUTCMonth(next.getUTCMonth() + count);
      break;
    default:
      next.setUTCFullYear(next.getUTCFullYear() + count);
  }
  return next;
}

/** Products, checkouts, orders, subscriptions, benefits and usage of the emulated organization. */
export class BillingStore {
  readonly products = new Map<string, StoredProduct>();
  readonly benefits = new Map<string, Resource>();
  readonly checkouts = new Map<string, StoredCheckout>();
  readonly orders = new Map<string, StoredOrder>();
  readonly subscriptions = new Map<string, StoredSubscription>();
  readonly grants = new Map<string, StoredGrant>();
  readonly events: StoredEvent[] = [];
  readonly meters = new Map<string, StoredMeter>();
  private failNextPayments = 0;
  /** Failed payment attempts of each unpaid renewal order (kept out of the order's API shape). */
  private readonly failedAttempts = new Map<string, number>();
  private orderNumber = 0;

  constructor(
    readonly customers: EmulatorStore,
    readonly clock: () => Date,
    private readonly emit: (event: BillingEvent) => void,
    readonly baseUrl: () => string,
  ) {}

  reset(): void {
    for (const map of [this.products, this.benefits, this.checkouts, this.orders, this.subscriptions, this.grants])
      map.clear();
    this.meters.clear();
    this.events.length = 0;
    this.failNextPayments = 0;
    this.failedAttempts.clear();
  }

  now(): string {
    return this.clock().toISOString();
  }

  private send(type: string, data: unknown): void {
    this.emit({ type, data: structuredClone(data) });
  }

  /** Fields every timestamped resource has. */
  stamp(): { id: string; created_at: string; modified_at: null } {
    return { id: randomUUID(), created_at: this.now(), modified_at: null };
  }

  /** The next `n` payments (checkout Pay excluded: that button always succeeds) fail. */
  failPayments(n: number): void {
    this.failNextPayments += n;
  }

  private paymentSucceeds(): boolean {
    if (this.failNextPayments === 0) return true;
    this.failNextPayments--;
    return false;
  }

  // ---- products -------------------------------------------------------------------------------------------------

  addProduct(product: StoredProduct): StoredProduct {
    this.products.set(product.id, product);
    this.send('product.created', product);
    return product;
  }

  updateProduct(product: StoredProduct, patch: Partial<StoredProduct>): StoredProduct {
    Object.assign(product, patch, { modified_at: this.now() });
    this.send('product.updated', product);
    return product;
  }

  addBenefit(benefit: Resource): Resource {
    this.benefits.set(benefit.id, benefit);
    this.send('benefit.created', benefit);
    return benefit;
  }

  /** The product's benefits become exactly `benefitIds` (for purchases from now on; existing grants stay as they are). */
  setProductBenefits(product: StoredProduct, benefitIds: string[]): StoredProduct {
    product.benefits = benefitIds.map((id) => this.benefits.get(id)!);
    product.modified_at = this.now();
    this.send('product.updated', product);
    return product;
  }

  // ---- checkouts -------------------------------------------------------------------------------------------------

  /** Polar's rule (checkout service): a customer with a billable subscription to the organization cannot buy another. */
  assertNoActiveSubscription(checkout: StoredCheckout): void {
    const product = this.products.get(checkout.product_id);
    if (!product?.is_recurring) return;
    const customer = this.checkoutCustomer(checkout);
    if (!customer) return;
    for (const subscription of this.subscriptions.values()) {
      if (subscription.customer_id === customer.id && isBillable(subscription)) throw new AlreadyActiveSubscription();
    }
  }

  private checkoutCustomer(checkout: StoredCheckout): PolarEmulatorCustomer | undefined {
    if (checkout.customer_id) return this.customers.findById(checkout.customer_id);
    if (checkout.external_customer_id) {
      const byExternal = this.customers.findByExternalId(checkout.external_customer_id);
      if (byExternal) return byExternal;
    }
    if (checkout.customer_email) {
      const wanted = checkout.customer_email.toLowerCase();
      return this.customers.all().find((c) => c.deleted_at === null && c.email?.toLowerCase() === wanted);
    }
    return undefined;
  }

  addCheckout(checkout: StoredCheckout): StoredCheckout {
    this.checkouts.set(checkout.id, checkout);
    this.send('checkout.created', this.checkoutView(checkout));
    return checkout;
  }

  /** Where the customer lands after paying: `success_url` with `{CHECKOUT_ID}` filled in, else the confirmation page. */
  successUrl(checkout: StoredCheckout): string {
    if (checkout.success_url === null) return `${this.baseUrl()}/checkout/${checkout.client_secret}/confirmation`;
    return checkout.success_url.replace('{CHECKOUT_ID}', checkout.id);
  }

  /** The checkout as the API returns it: products, selected product and price, prices by product. */
  checkoutView(checkout: StoredCheckout): Resource {
    const { product_ids: productIds, ...fields } = checkout;
    const products = (productIds as string[]).map((id) => this.products.get(id)!);
    const product = this.products.get(checkout.product_id)!;
    return structuredClone({
      ...fields,
      success_url: this.successUrl(checkout),
      products,
      product,
      product_price: product.prices.find((price) => price.id === checkout.product_price_id) ?? null,
      prices: Object.fromEntries(products.map((candidate) => [candidate.id, candidate.prices])),
      discount: null,
    });
  }

  findCheckoutBySecret(secret: string): StoredCheckout | undefined {
    for (const checkout of this.checkouts.values()) if (checkout.client_secret === secret) return checkout;
    return undefined;
  }

  /** Open checkouts past `expires_at` become `expired` (checkout.expired), as Polar's expiry job does. */
  expireCheckouts(): void {
    const now = this.clock().getTime();
    for (const checkout of this.checkouts.values()) {
      if (checkout.status === 'open' && new Date(checkout.expires_at).getTime() <= now) {
        checkout.status = 'expired';
        checkout.modified_at = this.now();
        this.send('checkout.expired', this.checkoutView(checkout));
      }
    }
  }

  static expiry(now: Date): string {
    return new Date(now.getTime() + CHECKOUT_LIFETIME_MS).toISOString();
  }

  static clientSecret(): string {
    return `polar_c_${randomAlphanumeric(48)}`;
  }

  /** The customer pays (or the card is declined): Polar's confirm → payment → order/subscription/grants. */
  confirmCheckout(checkout: StoredCheckout, outcome: 'pay' | 'decline'): StoredCheckout {
    this.confirm(checkout);
    this.settle(checkout, outcome);
    return checkout;
  }

  /** The customer clicked Pay: the checkout becomes `confirmed` (payment not yet known). */
  confirm(checkout: StoredCheckout): void {
    this.expireCheckouts();
    if (checkout.status !== 'open') throw new CheckoutNotOpen(checkout);
    this.assertNoActiveSubscription(checkout);
    if (!checkout.customer_email && !checkout.customer_id && !this.checkoutCustomer(checkout)) {
      throw ValidationFailure.polar('customer_email', 'Field required', null, 'missing');
    }
    checkout.status = 'confirmed';
    checkout.modified_at = this.now();
    this.send('checkout.updated', this.checkoutView(checkout));
  }

  /** The payment outcome of a confirmed checkout: `failed`, or `succeeded` with what a purchase creates. */
  settle(checkout: StoredCheckout, outcome: 'pay' | 'decline'): void {
    if (outcome === 'decline') {
      checkout.status = 'failed';
      checkout.modified_at = this.now();
      this.send('checkout.updated', this.checkoutView(checkout));
      return;
    }
    const customer = this.checkoutCustomer(checkout) ?? this.createCheckoutCustomer(checkout);
    checkout.customer_id = customer.id;
    const product = this.products.get(checkout.product_id)!;
    const trialEnd = product.is_recurring ? (checkout.trial_end as string | null) : null;
    const subscription = product.is_recurring
      ? this.createSubscription(customer, product, checkout.total_amount, checkout.id, checkout.metadata, trialEnd)
      : null;
    // Polar's trial order: nothing is charged until the trial ends (order service `create_trial_order`).
    const order = this.createOrder(
      customer,
      product,
      trialEnd === null ? checkout.total_amount : 0,
      subscription ? 'subscription_create' : 'purchase',
      subscription,
      checkout.id,
    );
    this.send('order.created', this.orderView(order));
    if (subscription) this.send('subscription.created', this.subscriptionView(subscription));
    checkout.status = 'succeeded';
    checkout.subscription_id = subscription?.id ?? null;
    checkout.modified_at = this.now();
    this.send('checkout.updated', this.checkoutView(checkout));
    this.markPaid(order);
    if (subscription) this.send('subscription.active', this.subscriptionView(subscription));
    for (const benefit of product.benefits) this.grant(customer.id, benefit, subscription?.id ?? null, order.id);
    this.stateChanged(customer.id);
  }

  private createCheckoutCustomer(checkout: StoredCheckout): PolarEmulatorCustomer {
    return this.customers.create({
      type: 'individual',
      email: checkout.customer_email,
      external_id: checkout.external_customer_id,
      name: (checkout.customer_name as string | null) ?? null,
      metadata: (checkout.customer_metadata as PolarEmulatorMetadata | undefined) ?? {},
      billing_address: null,
      tax_id: null,
      locale: null,
      owner: null,
    });
  }

  // ---- subscriptions and orders ----------------------------------------------------------------------------------

  createSubscription(
    customer: PolarEmulatorCustomer,
    product: StoredProduct,
    amount: number,
    checkoutId: string | null,
    metadata: unknown,
    trialEnd: string | null = null,
  ): StoredSubscription {
    const start = this.clock();
    const interval = product.recurring_interval ?? 'month';
    const count = product.recurring_interval_count ?? 1;
    // While trialing, the period ends with the trial: that is when Polar's scheduler converts it.
    const end = trialEnd ?? addInterval(start, interval, count).toISOString();
    const meterStart = trialEnd === null ? start.toISOString() : null;
    const subscription: StoredSubscription = {
      ...this.stamp(),
      amount,
      currency: 'usd',
      recurring_interval: interval,
      recurring_interval_count: count,
      status: trialEnd === null ? 'active' : 'trialing',
      current_period_start: start.toISOString(),
      current_period_end: end,
      current_meter_period_start: meterStart,
      current_meter_period_end: meterStart === null ? null : end,
      trial_start: trialEnd === null ? null : start.toISOString(),
      trial_end: trialEnd,
      cancel_at_period_end: false,
      canceled_at: null,
      started_at: start.toISOString(),
      ends_at: null,
      ended_at: null,
      past_due_at: null,
      pause_at_period_end: false,
      paused_at: null,
      resumes_at: null,
      customer_id: customer.id,
      product_id: product.id,
      discount_id: null,
      checkout_id: checkoutId,
      seats: null,
      customer_cancellation_reason: null,
      customer_cancellation_comment: null,
      metadata: structuredClone((metadata as PolarEmulatorMetadata | undefined) ?? {}),
      custom_field_data: {},
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  createOrder(
    customer: PolarEmulatorCustomer,
    product: StoredProduct,
    amount: number,
    billingReason: string,
    subscription: StoredSubscription | null,
    checkoutId: string | null,
  ): StoredOrder {
    const stamp = this.stamp();
    const price = product.prices[0];
    const order: StoredOrder = {
      ...stamp,
      status: 'pending',
      paid: false,
      subtotal_amount: amount,
      discount_amount: 0,
      net_amount: amount,
      tax_amount: 0,
      total_amount: amount,
      applied_balance_amount: 0,
      due_amount: amount,
      refunded_amount: 0,
      refunded_tax_amount: 0,
      currency: 'usd',
      billing_reason: billingReason,
      billing_name: customer.billing_name ?? customer.name,
      billing_address: customer.billing_address,
      invoice_number: `${this.customers.organizationId.slice(0, 8).toUpperCase()}-${String(++this.orderNumber).padStart(4, '0')}`,
      is_invoice_generated: false,
      receipt_number: null,
      seats: null,
      customer_id: customer.id,
      product_id: product.id,
      discount_id: null,
      subscription_id: subscription?.id ?? null,
      checkout_id: checkoutId,
      next_payment_attempt_at: null,
      metadata: {},
      custom_field_data: {},
      platform_fee_amount: 0,
      platform_fee_currency: null,
      description: product.name,
      refundable_amount: amount,
      refundable_tax_amount: 0,
      items: [
        {
          ...stamp,
          id: randomUUID(),
          label: product.name,
          amount,
          tax_amount: 0,
          proration: false,
          product_price_id: price?.id ?? null,
        },
      ],
    };
    this.orders.set(order.id, order);
    return order;
  }

  private markPaid(order: StoredOrder): void {
    order.status = 'paid';
    order.paid = true;
    order.due_amount = 0;
    order.modified_at = this.now();
    this.send('order.updated', this.orderView(order));
    this.send('order.paid', this.orderView(order));
  }

  /** The order as the API and webhooks return it (customer, product, subscription embedded). */
  orderView(order: StoredOrder): Resource {
    const customer = this.customerRecord(order.customer_id);
    const product = this.products.get(order.product_id as string) ?? null;
    const subscription = order.subscription_id ? this.subscriptions.get(order.subscription_id as string) : undefined;
    return structuredClone({ ...order, customer, product, subscription: subscription ?? null, discount: null });
  }

  /** The subscription as the API and webhooks return it. */
  subscriptionView(subscription: StoredSubscription): Resource {
    const product = this.products.get(subscription.product_id)!;
    return structuredClone({
      ...subscription,
      customer: this.customerRecord(subscription.customer_id),
      product,
      discount: null,
      prices: product.prices,
      meters: [],
      pending_update: null,
    });
  }

  private customerRecord(id: string): PolarEmulatorCustomer {
    const customer = this.customers.all().find((candidate) => candidate.id === id);
    if (!customer) throw new Error(`billing: no customer ${id}`);
    return customer;
  }

  /** Cancel at period end (true) or uncancel (false), as `PATCH /v1/subscriptions/{id}` does. */
  setCancelAtPeriodEnd(
    subscription: StoredSubscription,
    cancel: boolean,
    reason: string | null,
    comment: string | null,
  ): void {
    if (subscription.status === 'canceled') throw new AlreadyCanceledSubscription();
    const now = this.now();
    subscription.cancel_at_period_end = cancel;
    subscription.canceled_at = cancel ? now : null;
    subscription.ends_at = cancel ? subscription.current_period_end : null;
    if (cancel) {
      subscription.customer_cancellation_reason = reason;
      subscription.customer_cancellation_comment = comment;
    } else {
      subscription.customer_cancellation_reason = null;
      subscription.customer_cancellation_comment = null;
    }
    subscription.modified_at = now;
    this.send('subscription.updated', this.subscriptionView(subscription));
    this.send(cancel ? 'subscription.canceled' : 'subscription.uncanceled', this.subscriptionView(subscription));
    this.stateChanged(subscription.customer_id);
  }

  /** Ends the subscription now and revokes its benefits, as `DELETE /v1/subscriptions/{id}` does. */
  revoke(subscription: StoredSubscription, reason: string | null = null, comment: string | null = null): void {
    if (subscription.status === 'canceled') throw new AlreadyCanceledSubscription();
    const now = this.now();
    const wasCanceled = subscription.cancel_at_period_end;
    Object.assign(subscription, {
      status: 'canceled',
      cancel_at_period_end: false,
      canceled_at: subscription.canceled_at ?? now,
      ends_at: now,
      ended_at: now,
      modified_at: now,
    });
    if (reason !== null) subscription.customer_cancellation_reason = reason;
    if (comment !== null) subscription.customer_cancellation_comment = comment;
    this.send('subscription.updated', this.subscriptionView(subscription));
    if (!wasCanceled) this.send('subscription.canceled', this.subscriptionView(subscription));
    this.send('subscription.revoked', this.subscriptionView(subscription));
    this.revokeGrants(subscription.id);
    this.stateChanged(subscription.customer_id);
  }

  /**
   * Runs what is due at the current clock: expired checkouts, renewals (paid or failed), retries of past-due
   * payments, and cancellations at period end.
   */
  runDue(): void {
    this.expireCheckouts();
    const now = this.clock().getTime();
    for (const subscription of this.subscriptions.values()) {
      // A subscription more than one period behind renews once per call, period by period.
      for (let guard = 0; guard < 1000; guard++) {
        if (!['active', 'trialing', 'past_due'].includes(subscription.status)) break;
        if (subscription.status === 'past_due') {
          this.retryPastDue(subscription);
          if (subscription.status === 'past_due') break;
          continue;
        }
        const end = subscription.current_period_end;
        if (end === null || new Date(end).getTime() > now) break;
        if (subscription.cancel_at_period_end) {
          this.revoke(subscription);
          break;
        }
        this.renew(subscription);
      }
    }
  }

  /** A period ends: the next one starts with its order (a trial's end converts it: `active`, `subscription_cycle_after_trial`). */
  private renew(subscription: StoredSubscription): void {
    const product = this.products.get(subscription.product_id)!;
    const afterTrial = subscription.status === 'trialing';
    const start = new Date(subscription.current_period_end!);
    const end = addInterval(
      start,
      subscription.recurring_interval as string,
      Number(subscription.recurring_interval_count),
    );
    Object.assign(subscription, {
      current_period_start: start.toISOString(),
      current_period_end: end.toISOString(),
      current_meter_period_start: start.toISOString(),
      current_meter_period_end: end.toISOString(),
      modified_at: this.now(),
    });
    if (afterTrial) subscription.status = 'active';
    const customer = this.customerRecord(subscription.customer_id);
    const reason = afterTrial ? 'subscription_cycle_after_trial' : 'subscription_cycle';
    const order = this.createOrder(customer, product, subscription.amount, reason, subscription, null);
    this.send('subscription.updated', this.subscriptionView(subscription));
    this.send('subscription.cycled', this.subscriptionView(subscription));
    this.send('order.created', this.orderView(order));
    this.collect(subscription, order);
  }

  private collect(subscription: StoredSubscription, order: StoredOrder): void {
    if (this.paymentSucceeds()) {
      this.markPaid(order);
      return;
    }
    const now = this.now();
    this.failedAttempts.set(order.id, 1);
    order.next_payment_attempt_at = new Date(this.clock().getTime() + DUNNING_RETRY_INTERVALS_MS[0]).toISOString();
    order.modified_at = now;
    Object.assign(subscription, { status: 'past_due', past_due_at: now, modified_at: now });
    this.send('order.updated', this.orderView(order));
    this.send('subscription.updated', this.subscriptionView(subscription));
    this.send('subscription.past_due', this.subscriptionView(subscription));
    this.stateChanged(subscription.customer_id);
  }

  /** Retries the unpaid renewal order when its next attempt is due; the subscription is revoked after the last one. */
  private retryPastDue(subscription: StoredSubscription): void {
    const order = [...this.orders.values()]
      .reverse()
      .find((candidate) => candidate.subscription_id === subscription.id && candidate.status === 'pending');
    if (!order || typeof order.next_payment_attempt_at !== 'string') return;
    const now = this.clock().getTime();
    if (new Date(order.next_payment_attempt_at).getTime() > now) return;
    const failed = this.failedAttempts.get(order.id) ?? 1;
    if (this.paymentSucceeds()) {
      order.next_payment_attempt_at = null;
      this.failedAttempts.delete(order.id);
      Object.assign(subscription, { status: 'active', past_due_at: null, modified_at: this.now() });
      this.markPaid(order);
      this.send('subscription.updated', this.subscriptionView(subscription));
      this.send('subscription.active', this.subscriptionView(subscription));
      this.stateChanged(subscription.customer_id);
      return;
    }
    this.failedAttempts.set(order.id, failed + 1);
    if (failed >= DUNNING_RETRY_INTERVALS_MS.length) {
      order.next_payment_attempt_at = null;
      this.failedAttempts.delete(order.id);
      this.revoke(subscription);
      return;
    }
    order.next_payment_attempt_at = new Date(now + DUNNING_RETRY_INTERVALS_MS[failed]).toISOString();
    order.modified_at = this.now();
    this.send('order.updated', this.orderView(order));
  }

  // ---- benefits ----------------------------------------------------------------------------------------------

  grant(customerId: string, benefit: Resource, subscriptionId: string | null, orderId: string | null): void {
    const now = this.now();
    const grant: StoredGrant = {
      ...this.stamp(),
      granted_at: now,
      is_granted: true,
      revoked_at: null,
      is_revoked: false,
      subscription_id: subscriptionId,
      order_id: orderId,
      customer_id: customerId,
      member_id: null,
      benefit_id: benefit.id,
      error: null,
      properties: {},
    };
    this.grants.set(grant.id, grant);
    this.send('benefit_grant.created', this.grantView(grant));
  }

  private revokeGrants(subscriptionId: string): void {
    for (const grant of this.grants.values()) {
      if (grant.subscription_id !== subscriptionId || !grant.is_granted) continue;
      const now = this.now();
      Object.assign(grant, { is_granted: false, is_revoked: true, revoked_at: now, modified_at: now });
      this.send('benefit_grant.revoked', this.grantView(grant));
    }
  }

  grantView(grant: StoredGrant): Resource {
    return structuredClone({
      ...grant,
      customer: this.customerRecord(grant.customer_id),
      member: null,
      benefit: this.benefits.get(grant.benefit_id),
      previous_properties: null,
    });
  }

  // ---- usage --------------------------------------------------------------------------------------------------

  /** Stores events; one whose `external_id` was already ingested is counted as a duplicate and dropped. */
  ingest(events: StoredEvent[]): { inserted: number; duplicates: number } {
    const seen = new Set(this.events.map((event) => event.external_id).filter((id) => id !== null));
    let duplicates = 0;
    const touched = new Set<string>();
    for (const event of events) {
      if (event.external_id !== null && seen.has(event.external_id)) {
        duplicates++;
        continue;
      }
      if (event.external_id !== null) seen.add(event.external_id);
      this.events.push(event);
      const customer = this.eventCustomer(event);
      if (customer) touched.add(customer.id);
    }
    for (const customerId of touched) this.stateChanged(customerId);
    return { inserted: events.length - duplicates, duplicates };
  }

  eventCustomer(event: StoredEvent): PolarEmulatorCustomer | undefined {
    if (event.customer_id) return this.customers.findById(event.customer_id);
    if (event.external_customer_id) return this.customers.findByExternalId(event.external_customer_id);
    return undefined;
  }

  addMeter(meter: StoredMeter): StoredMeter {
    this.meters.set(meter.id, meter);
    return meter;
  }

  /** The meter's aggregate over a customer's events (all customers when `customerId` is undefined). */
  quantity(meter: StoredMeter, customerId?: string): number {
    const values: number[] = [];
    const unique = new Set<unknown>();
    for (const event of this.events) {
      if (customerId !== undefined && this.eventCustomer(event)?.id !== customerId) continue;
      if (!matchesFilter(event, meter.filter)) continue;
      if (meter.aggregation.func === 'count') {
        values.push(1);
        continue;
      }
      const raw = eventProperty(event, meter.aggregation.property);
      if (meter.aggregation.func === 'unique') {
        if (raw !== undefined) unique.add(raw);
        continue;
      }
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (Number.isFinite(value)) values.push(value);
    }
    switch (meter.aggregation.func) {
      case 'count':
      case 'sum':
        return values.reduce((sum, value) => sum + value, 0);
      case 'max':
        return values.length === 0 ? 0 : Math.max(...values);
      case 'min':
        return values.length === 0 ? 0 : Math.min(...values);
      case 'avg':
        return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
      case 'unique':
        return unique.size;
    }
  }

  // ---- customer state ------------------------------------------------------------------------------------------

  /** `active_subscriptions`, `granted_benefits` and `active_meters` of a customer's state. */
  /** Whether the customer has a billable (trialing, active or past_due) subscription: the customer list's `active` filter. */
  hasBillableSubscription(customerId: string): boolean {
    for (const subscription of this.subscriptions.values()) {
      if (subscription.customer_id === customerId && isBillable(subscription)) return true;
    }
    return false;
  }

  stateOf(customerId: string): Record<string, unknown> {
    const activeSubscriptions = [...this.subscriptions.values()]
      .filter((s) => s.customer_id === customerId && (s.status === 'active' || s.status === 'trialing'))
      .map((s) => ({
        id: s.id,
        created_at: s.created_at,
        modified_at: s.modified_at,
        custom_field_data: s.custom_field_data,
        metadata: s.metadata,
        status: s.status,
        amount: s.amount,
        currency: s.currency,
        recurring_interval: s.recurring_interval,
        current_period_start: s.current_period_start,
        current_period_end: s.current_period_end,
        trial_start: s.trial_start,
        trial_end: s.trial_end,
        cancel_at_period_end: s.cancel_at_period_end,
        canceled_at: s.canceled_at,
        started_at: s.started_at,
        ends_at: s.ends_at,
        product_id: s.product_id,
        discount_id: s.discount_id,
        meters: [],
      }));
    const grantedBenefits = [...this.grants.values()]
      .filter((g) => g.customer_id === customerId && g.is_granted)
      .map((g) => {
        const benefit = this.benefits.get(g.benefit_id)!;
        return {
          id: g.id,
          created_at: g.created_at,
          modified_at: g.modified_at,
          granted_at: g.granted_at,
          benefit_id: g.benefit_id,
          benefit_type: benefit.type,
          benefit_metadata: benefit.metadata,
          properties: g.properties,
        };
      });
    const activeMeters = this.customerMeters(customerId);
    return structuredClone({
      active_subscriptions: activeSubscriptions,
      granted_benefits: grantedBenefits,
      active_meters: activeMeters,
    });
  }

  /** One entry per meter the customer has usage on: consumed units, no credits (the emulator grants none). */
  customerMeters(customerId: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const meter of this.meters.values()) {
      const hasEvents = this.events.some(
        (event) => this.eventCustomer(event)?.id === customerId && matchesFilter(event, meter.filter),
      );
      if (!hasEvents) continue;
      const consumed = this.quantity(meter, customerId);
      out.push({
        id: meterEntryId(meter.id, customerId),
        created_at: meter.created_at,
        modified_at: this.now(),
        meter_id: meter.id,
        consumed_units: consumed,
        credited_units: 0,
        balance: -consumed,
      });
    }
    return out;
  }

  stateChanged(customerId: string): void {
    const customer = this.customers.findById(customerId);
    if (!customer) return;
    this.send('customer.state_changed', this.customers.state(customer));
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Polar's dunning (`DUNNING_RETRY_INTERVALS`): retries 2, 5, 7 and 7 days apart, then the subscription is revoked. */
export const DUNNING_RETRY_INTERVALS_MS = [2 * DAY_MS, 5 * DAY_MS, 7 * DAY_MS, 7 * DAY_MS];

/** Subscription statuses Polar counts as billable (active, trialing, past_due). */
function isBillable(subscription: StoredSubscription): boolean {
  return ['active', 'trialing', 'past_due'].includes(subscription.status);
}

/** A stable id for a customer's meter entry (derived, so it stays the same between reads). */
function meterEntryId(meterId: string, customerId: string): string {
  const hex = (meterId.replace(/-/g, '').slice(0, 16) + customerId.replace(/-/g, '').slice(16)).split('');
  hex[12] = '4';
  hex[16] = '8';
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function eventProperty(event: StoredEvent, property: string): unknown {
  if (property === 'name') return event.name;
  const key = property.startsWith('metadata.') ? property.slice('metadata.'.length) : property;
  return event.metadata[key];
}

function matchesFilter(event: StoredEvent, filter: MeterFilter): boolean {
  if (filter.clauses.length === 0) return true;
  const results = filter.clauses.map((clause) =>
    'conjunction' in clause ? matchesFilter(event, clause) : matchesClause(event, clause),
  );
  return filter.conjunction === 'and' ? results.every(Boolean) : results.some(Boolean);
}

function matchesClause(event: StoredEvent, clause: MeterClause): boolean {
  const actual = eventProperty(event, clause.property);
  if (actual === undefined) return false;
  const expected = clause.value;
  switch (clause.operator) {
    case 'eq':
      return String(actual) === String(expected);
    case 'ne':
      return String(actual) !== String(expected);
    case 'gt':
      return Number(actual) > Number(expected);
    case 'gte':
      return Number(actual) >= Number(expected);
    case 'lt':
      return Number(actual) < Number(expected);
    case 'lte':
      return Number(actual) <= Number(expected);
    case 'like':
      return String(actual).includes(String(expected));
    case 'not_like':
      return !String(actual).includes(String(expected));
  }
}

/** Polar's AlreadyActiveSubscriptionError (403), from the checkout service. */
export class AlreadyActiveSubscription extends BillingFailure {
  constructor() {
    super(403, { error: 'AlreadyActiveSubscriptionError', detail: 'You already have an active subscription.' });
  }
}

/** Polar's NotOpenCheckout (403) for a checkout that is no longer open. */
export class CheckoutNotOpen extends BillingFailure {
  constructor(checkout: StoredCheckout) {
    super(403, { error: 'NotOpenCheckout', detail: `Checkout ${checkout.id} is not open: ${checkout.status}` });
  }
}

/** Polar's AlreadyCanceledSubscription (403), from the subscription service. */
export class AlreadyCanceledSubscription extends BillingFailure {
  constructor() {
    super(403, {
      error: 'AlreadyCanceledSubscription',
      detail: 'This subscription is already canceled or will be at the end of the period.',
    });
  }
}
