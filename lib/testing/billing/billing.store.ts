import { randomUUID } from 'node:crypto';
import { ValidationFailure } from '../emulator.http.js';
import { BillingFailure } from './billing.http.js';
import type { EmulatorStore } from '../emulator.store.js';
import { randomAlphanumeric } from '../emulator.store.js';
import type { PolarEmulatorCustomer, PolarEmulatorMetadata } from '../emulator.types.js';
import {
  checkoutDiscountView,
  discountAmount,
  discountBaseView,
  DiscountRedemptionLimitReached,
  isRedeemable,
  perCustomerLimitReached,
  isRepetitionExpired,
  type StoredDiscount,
} from './discounts.js';
import { SeatBook } from './seats.js';

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
  status: 'incomplete' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';
  customer_id: string;
  product_id: string;
  current_period_start: string;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  amount: number;
  seats: number | null;
  /** A `next_period` change waiting for the period end (PendingSubscriptionUpdate). */
  pending_update?: PendingUpdate | null;
};

export interface PendingUpdate {
  created_at: string;
  modified_at: string | null;
  id: string;
  applies_at: string | null;
  product_id: string | null;
  seats: number | null;
}

export type StoredOrder = Resource & {
  status: 'pending' | 'paid' | 'refunded' | 'partially_refunded';
  paid: boolean;
  customer_id: string;
  net_amount: number;
  refunded_amount: number;
};

/** A refund as `POST /v1/refunds/` answers it (the emulator's card refunds succeed at once). */
export type StoredRefund = Resource & { order_id: string; customer_id: string; amount: number };

/** Polar's DisputeStatus. */
export type DisputeStatus = 'prevented' | 'early_warning' | 'needs_response' | 'under_review' | 'lost' | 'won';

/** A dispute that is over (Polar's `Dispute.closed`): settled either way, or prevented by an early refund. */
const isClosedDispute = (dispute: { status: DisputeStatus }): boolean =>
  dispute.status === 'won' || dispute.status === 'lost' || dispute.status === 'prevented';

/** A chargeback on an order's payment (Dispute without the embedded customer and the derived flags). */
export type StoredDispute = Resource & {
  status: DisputeStatus;
  amount: number;
  order_id: string;
  customer_id: string;
  evidence_due_by: string | null;
};

/** What `POST /v1/refunds/` asks for, validated. */
export interface RefundRequest {
  order: StoredOrder;
  reason: string;
  amount: number;
  comment: string | null;
  revoke_benefits: boolean;
  metadata: PolarEmulatorMetadata;
}

/** A license key a `license_keys` benefit grant created (LicenseKeyRead without the embedded customer). */
export type StoredLicenseKey = Resource & {
  key: string;
  customer_id: string;
  benefit_id: string;
  status: 'granted' | 'revoked' | 'disabled';
  limit_activations: number | null;
  usage: number;
  limit_usage: number | null;
  validations: number;
  last_validated_at: string | null;
  expires_at: string | null;
};

export type StoredActivation = Resource & {
  license_key_id: string;
  label: string;
  meta: PolarEmulatorMetadata;
  conditions: PolarEmulatorMetadata;
};

/** A `meter.credited` (units > 0) or revoked credit (units < 0), or a meter reset, in a customer's meter ledger. */
interface MeterLedgerEntry {
  customer_id: string;
  meter_id: string;
  at: number;
  kind: 'credit' | 'reset';
  units: number;
}

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

/** A line of a `subscription_update` or cycle order born of a plan or seat change (`proration: true`). */
export interface ProrationItem {
  label: string;
  /** Signed: a credit for unused time is negative. */
  amount: number;
  product_price_id: string;
}

/** How a product or seat change is billed (`SubscriptionProrationBehavior`; `reset` is refused as Polar does). */
export type ProrationBehavior = 'invoice' | 'prorate' | 'next_period';

type SeatTier = { min_seats: number; max_seats: number | null; price_per_seat: number };

/** The seat tier `count` seats fall in (the last tier above its maximum). */
function seatTier(price: StoredPrice, count: number): SeatTier {
  const tiers = (price.seat_tiers as { tiers: SeatTier[] }).tiers;
  return (
    tiers.find((t) => count >= t.min_seats && (t.max_seats === null || count <= t.max_seats)) ?? tiers[tiers.length - 1]
  );
}

/** What a price charges per period (custom prices take `amount`, else their preset or minimum; metered bill usage later). */
export function priceAmount(price: StoredPrice, amount: number | null, seats: number | null): number {
  switch (price.amount_type) {
    case 'fixed':
      return Number(price.price_amount);
    case 'custom':
      return amount ?? Number(price.preset_amount ?? price.minimum_amount ?? 0);
    case 'seat_based': {
      const count = seats ?? 1;
      return seatTier(price, count).price_per_seat * count;
    }
    case 'metered_unit':
      return 0;
  }
}

/** Python's `round()` on a Decimal (half to even), as Polar rounds prorations. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (Math.abs(diff - 0.5) > 1e-9) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

const day = (iso: string): string => iso.slice(0, 10);

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
  readonly refunds = new Map<string, StoredRefund>();
  readonly licenseKeys = new Map<string, StoredLicenseKey>();
  readonly activations = new Map<string, StoredActivation>();
  readonly discounts = new Map<string, StoredDiscount>();
  /** Start of the first period each subscription's discount applied to (Polar's `discount_applied_at`). */
  private readonly discountAppliedAt = new Map<string, string>();
  readonly disputes = new Map<string, StoredDispute>();
  private readonly meterLedger: MeterLedgerEntry[] = [];
  /** Proration entries (`prorate`) waiting for the subscription's next cycle order. */
  private readonly pendingProrations = new Map<string, ProrationItem[]>();
  /** Credit (cents) each customer holds from prorations that exceeded their order, applied to later orders. */
  private readonly credits = new Map<string, number>();
  private failNextPayments = 0;
  /** Failed payment attempts of each unpaid renewal order (kept out of the order's API shape). */
  private readonly failedAttempts = new Map<string, number>();
  private orderNumber = 0;
  /** Customer seats of seat-based subscriptions and orders (seats.ts). */
  readonly seatBook: SeatBook = new SeatBook(this);

  constructor(
    readonly customers: EmulatorStore,
    readonly clock: () => Date,
    private readonly emit: (event: BillingEvent) => void,
    readonly baseUrl: () => string,
  ) {}

  reset(): void {
    for (const map of [
      this.products,
      this.benefits,
      this.checkouts,
      this.orders,
      this.subscriptions,
      this.grants,
      this.refunds,
      this.licenseKeys,
      this.activations,
      this.disputes,
      this.pendingProrations,
      this.discounts,
      this.discountAppliedAt,
    ])
      map.clear();
    this.meterLedger.length = 0;
    this.credits.clear();
    this.meters.clear();
    this.events.length = 0;
    this.failNextPayments = 0;
    this.failedAttempts.clear();
    this.seatBook.reset();
  }

  now(): string {
    return this.clock().toISOString();
  }

  private send(type: string, data: unknown): void {
    this.emit({ type, data: structuredClone(data) });
  }

  /** Sends a webhook event of another billing module (seats). */
  emitEvent(type: string, data: unknown): void {
    this.send(type, data);
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

  /** `checkout.updated` after a client update. */
  notifyCheckoutUpdated(checkout: StoredCheckout): void {
    this.send('checkout.updated', this.checkoutView(checkout));
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
      discount: checkout.discount_id ? checkoutDiscountView(this.discounts.get(checkout.discount_id as string)!) : null,
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
    this.redeemDiscount(checkout);
    checkout.status = 'confirmed';
    checkout.modified_at = this.now();
    this.send('checkout.updated', this.checkoutView(checkout));
  }

  /** The payment outcome of a confirmed checkout: `failed`, or `succeeded` with what a purchase creates. */
  settle(checkout: StoredCheckout, outcome: 'pay' | 'decline'): void {
    if (outcome === 'decline') {
      this.releaseDiscount(checkout);
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
      ? this.createSubscription(
          customer,
          product,
          Number(checkout.amount),
          checkout.id,
          checkout.metadata,
          trialEnd,
          checkout.seats as number | null,
        )
      : null;
    const discount = this.discountOf(checkout.discount_id as string | null);
    if (subscription && discount) {
      // The subscription keeps the discount; without a trial it applied to this first period already.
      subscription.discount_id = discount.id;
      if (trialEnd === null) this.discountAppliedAt.set(subscription.id, subscription.current_period_start);
    }
    // Polar's trial order: nothing is charged until the trial ends (order service `create_trial_order`).
    const order = this.createOrder(
      customer,
      product,
      trialEnd === null ? Number(checkout.amount) : 0,
      subscription ? 'subscription_create' : 'purchase',
      subscription,
      checkout.id,
      [],
      trialEnd === null ? discount : null,
    );
    this.send('order.created', this.orderView(order));
    if (subscription) this.send('subscription.created', this.subscriptionView(subscription));
    checkout.status = 'succeeded';
    checkout.subscription_id = subscription?.id ?? null;
    checkout.modified_at = this.now();
    this.send('checkout.updated', this.checkoutView(checkout));
    this.markPaid(order);
    if (subscription) this.send('subscription.active', this.subscriptionView(subscription));
    // Seats bought: the benefits go to the seat holders when they claim, and the buyer becomes a team customer
    // (Polar's `upgrade_to_team`, no webhook of its own).
    if (checkout.seats === null || checkout.seats === undefined) {
      for (const benefit of product.benefits) this.grant(customer.id, benefit, subscription?.id ?? null, order.id);
    } else if (customer.type === 'individual') customer.type = 'team';
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
    seats: number | null = null,
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
      seats,
      customer_cancellation_reason: null,
      customer_cancellation_comment: null,
      metadata: structuredClone((metadata as PolarEmulatorMetadata | undefined) ?? {}),
      custom_field_data: {},
    };
    this.subscriptions.set(subscription.id, subscription);
    this.resetMeteredPrices(subscription, start.getTime());
    return subscription;
  }

  createOrder(
    customer: PolarEmulatorCustomer,
    product: StoredProduct,
    amount: number,
    billingReason: string,
    subscription: StoredSubscription | null,
    checkoutId: string | null,
    prorations: ProrationItem[] = [],
    discount: StoredDiscount | null = null,
  ): StoredOrder {
    const stamp = this.stamp();
    const price = product.prices[0];
    const cycleItems =
      billingReason === 'subscription_update'
        ? []
        : [{ label: product.name, amount, product_price_id: price?.id ?? null, proration: false }];
    const lines = [...cycleItems, ...prorations.map((item) => ({ ...item, proration: true }))];
    const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
    // Polar's `compute_order_amounts`: the discount applies to the cycle items only, not to prorations.
    const discounted = discount
      ? discountAmount(
          discount,
          cycleItems.reduce((sum, line) => sum + line.amount, 0),
        )
      : 0;
    const total = subtotal - discounted;
    // Polar's wallet: a negative total becomes the customer's credit, which later orders use first.
    const credit = this.credits.get(customer.id) ?? 0;
    const applied = total > 0 ? Math.min(credit, total) : 0;
    this.credits.set(customer.id, credit - applied + (total < 0 ? -total : 0));
    const order: StoredOrder = {
      ...stamp,
      status: 'pending',
      paid: false,
      subtotal_amount: subtotal,
      discount_amount: discounted,
      net_amount: total,
      tax_amount: 0,
      total_amount: total,
      applied_balance_amount: -applied,
      due_amount: Math.max(0, total - applied),
      refunded_amount: 0,
      refunded_tax_amount: 0,
      currency: 'usd',
      billing_reason: billingReason,
      billing_name: customer.billing_name ?? customer.name,
      billing_address: customer.billing_address,
      invoice_number: `${this.customers.organizationId.slice(0, 8).toUpperCase()}-${String(++this.orderNumber).padStart(4, '0')}`,
      is_invoice_generated: false,
      receipt_number: null,
      // A one-time seat purchase keeps the checkout's seats on its order (what its seats are counted against).
      seats: subscription?.seats ?? this.oneTimeSeats(checkoutId, subscription),
      customer_id: customer.id,
      product_id: product.id,
      discount_id: discount?.id ?? null,
      subscription_id: subscription?.id ?? null,
      checkout_id: checkoutId,
      next_payment_attempt_at: null,
      metadata: {},
      custom_field_data: {},
      platform_fee_amount: 0,
      platform_fee_currency: null,
      description: product.name,
      refundable_amount: Math.max(0, total - applied),
      refundable_tax_amount: 0,
      items: lines.map((line) => ({ ...stamp, id: randomUUID(), tax_amount: 0, ...line })),
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
    const discount = this.discountOf(order.discount_id as string | null);
    return structuredClone({
      ...order,
      customer,
      product,
      subscription: subscription ?? null,
      discount: discount ? discountBaseView(discount) : null,
    });
  }

  /** The subscription as the API and webhooks return it. */
  subscriptionView(subscription: StoredSubscription): Resource {
    const product = this.products.get(subscription.product_id)!;
    return structuredClone({
      ...subscription,
      customer: this.customerRecord(subscription.customer_id),
      product,
      discount: subscription.discount_id
        ? discountBaseView(this.discounts.get(subscription.discount_id as string)!)
        : null,
      prices: product.prices,
      meters: [],
      pending_update: subscription.pending_update ?? null,
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
    this.seatBook.revokeAll(subscription.id);
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
        if (subscription.status === 'paused') {
          if (!this.resumeIsDue(subscription)) break;
          this.resume(subscription);
          continue;
        }
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
        if (subscription.pause_at_period_end) {
          this.enterPause(subscription);
          continue;
        }
        this.renew(subscription);
      }
    }
  }

  /**
   * A period ends: the next one starts with its order (a trial's end converts it to `active`). The order's
   * `billing_reason` is `subscription_cycle` either way: Polar's `subscription_cycle_after_trial` is internal and
   * its OrderBase serializer writes the public `subscription_cycle`.
   */
  private renew(subscription: StoredSubscription): void {
    this.applyPendingUpdate(subscription);
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
    const prorations = this.pendingProrations.get(subscription.id) ?? [];
    this.pendingProrations.delete(subscription.id);
    const discount = this.cycleDiscount(subscription);
    const order = this.createOrder(
      customer,
      product,
      subscription.amount,
      'subscription_cycle',
      subscription,
      null,
      prorations,
      discount,
    );
    this.send('subscription.updated', this.subscriptionView(subscription));
    this.send('subscription.cycled', this.subscriptionView(subscription));
    this.send('order.created', this.orderView(order));
    this.resetMeteredPrices(subscription, start.getTime());
    this.collect(subscription, order);
    if (subscription.status === 'active') this.cycleMeterCredits(subscription);
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

  // ---- refunds (Polar's refund service) -------------------------------------------------------------------------

  /**
   * Refunds part or all of a paid order: `refund.created`, then the order's `refunded_amount` and status
   * (`order.updated`, `order.refunded`), then — with `revoke_benefits` on a one-time order — its grants revoked.
   */
  refund(request: RefundRequest): StoredRefund {
    const { order } = request;
    if (order.status === 'refunded') throw new RefundedAlready(order.id);
    if (request.revoke_benefits && order.subscription_id !== null) throw new RevokeSubscriptionBenefitsProhibited();
    if (request.amount > Number(order.refundable_amount))
      throw ValidationFailure.polar('amount', 'Refund amount exceeds refundable amount', request.amount);
    if (!order.paid) throw new RefundUnknownPayment(order.id);
    if ([...this.disputes.values()].some((dispute) => dispute.order_id === order.id && dispute.status !== 'prevented'))
      throw new RefundDisputedPayment(order.id);
    const refund: StoredRefund = {
      ...this.stamp(),
      metadata: structuredClone(request.metadata),
      status: 'succeeded',
      reason: request.reason,
      amount: request.amount,
      tax_amount: 0,
      currency: String(order.currency),
      organization_id: this.customers.organizationId,
      order_id: order.id,
      subscription_id: (order.subscription_id as string | null) ?? null,
      customer_id: order.customer_id,
      revoke_benefits: request.revoke_benefits,
      dispute: null,
    };
    this.refunds.set(refund.id, refund);
    this.send('refund.created', refund);
    this.updateRefunds(order, request.amount);
    this.send('order.refunded', this.orderView(order));
    if (request.revoke_benefits && this.revokeGrantsWhere((grant) => grant.order_id === order.id))
      this.stateChanged(order.customer_id);
    return refund;
  }

  /** Polar's `Order.update_refunds`: the refunded amount moves by `delta`, the status follows (`order.updated`). */
  private updateRefunds(order: StoredOrder, delta: number): void {
    const refunded = order.refunded_amount + delta;
    const settled = order.net_amount + Number(order.applied_balance_amount);
    Object.assign(order, {
      refunded_amount: refunded,
      status: refunded === 0 ? 'paid' : refunded >= settled ? 'refunded' : 'partially_refunded',
      refundable_amount: Math.max(0, settled - refunded),
      modified_at: this.now(),
    });
    this.send('order.updated', this.orderView(order));
  }

  /**
   * The processor reports the refund failed (Polar's `update_from_stripe`): `refund.updated`, and a refund that
   * had succeeded gives its amount back to the order (`order.updated`; benefits it revoked stay revoked).
   */
  failRefund(refund: StoredRefund): StoredRefund {
    if (refund.status === 'failed' || refund.status === 'canceled')
      throw new Error(`refund ${refund.id} is already ${String(refund.status)}`);
    const succeeded = refund.status === 'succeeded';
    Object.assign(refund, { status: 'failed', modified_at: this.now() });
    this.send('refund.updated', refund);
    if (succeeded) this.updateRefunds(this.orders.get(refund.order_id)!, -refund.amount);
    return refund;
  }

  // ---- disputes (Polar's dispute service) ---------------------------------------------------------------------

  /** The customer's bank disputes the order's payment: a `needs_response` dispute (Polar sends no webhook for it). */
  openDispute(order: StoredOrder, amount: number, reason: string, evidenceDays: number): StoredDispute {
    const dispute: StoredDispute = {
      ...this.stamp(),
      status: 'needs_response',
      amount,
      tax_amount: 0,
      currency: String(order.currency),
      reason,
      evidence_due_by: new Date(this.clock().getTime() + evidenceDays * DAY_MS).toISOString(),
      has_evidence: false,
      order_id: order.id,
      payment_id: randomUUID(),
      customer_id: order.customer_id,
      case_id: null,
    };
    this.disputes.set(dispute.id, dispute);
    return dispute;
  }

  /**
   * The dispute moves on (Polar's `upsert_from_stripe`): `under_review`, or resolved `won` / `lost` — a resolved
   * dispute revokes the subscription at once, or the one-time order's benefits.
   */
  settleDispute(dispute: StoredDispute, status: 'under_review' | 'won' | 'lost'): StoredDispute {
    if (isClosedDispute(dispute)) throw new Error(`dispute ${dispute.id} is already closed (${dispute.status})`);
    Object.assign(dispute, { status, modified_at: this.now() });
    if (status === 'under_review') {
      dispute.has_evidence = true;
      return dispute;
    }
    const order = this.orders.get(dispute.order_id)!;
    const subscription = order.subscription_id ? this.subscriptions.get(String(order.subscription_id)) : undefined;
    if (subscription) {
      if (subscription.status !== 'canceled' && subscription.status !== 'unpaid') this.revoke(subscription);
    } else if (this.revokeGrantsWhere((grant) => grant.order_id === order.id)) this.stateChanged(order.customer_id);
    return dispute;
  }

  /** Dispute as the API returns it: its customer, whether it is resolved or closed, and whether evidence is late. */
  disputeView(dispute: StoredDispute): Resource {
    const { customer_id: customerId, has_evidence: _evidence, ...fields } = dispute;
    const due = dispute.evidence_due_by === null ? null : new Date(dispute.evidence_due_by).getTime();
    return structuredClone({
      ...fields,
      resolved: dispute.status === 'won' || dispute.status === 'lost',
      closed: isClosedDispute(dispute),
      past_due: dispute.status === 'needs_response' && due !== null && due < this.clock().getTime(),
      customer: this.customerRecord(customerId),
    });
  }

  // ---- plan and seat changes (Polar's subscription service `update_product` / `update_seats`) -----------------

  /** Polar's `validate_product_change`, then the change billed per `behavior`. */
  changeProduct(subscription: StoredSubscription, product: StoredProduct, behavior: ProrationBehavior): void {
    if (subscription.status === 'canceled' || subscription.cancel_at_period_end)
      throw new AlreadyCanceledSubscription();
    const refuse = (msg: string) => ValidationFailure.polar('product_id', msg, product.id);
    if (product.is_archived) throw refuse('Product is archived.');
    if (!product.is_recurring) throw refuse('Product is not recurring.');
    if (product.prices.some((price) => price.amount_type === 'custom'))
      throw refuse("Can't update to a product with custom prices.");
    const seatBased = (p: StoredProduct) => p.prices.some((price) => price.amount_type === 'seat_based');
    const current = this.products.get(subscription.product_id)!;
    if (seatBased(current) && !seatBased(product))
      throw refuse("Can't switch from a seat-based to a non-seat-based product.");
    if (behavior === 'next_period') {
      this.schedule(subscription, { product_id: product.id, seats: null });
      return;
    }
    const seats = seatBased(product) ? (subscription.seats ?? 1) : null;
    const intervalChanged =
      product.recurring_interval !== subscription.recurring_interval ||
      product.recurring_interval_count !== subscription.recurring_interval_count;
    const trialing = subscription.status === 'trialing';
    const now = this.clock();
    const periodStart = new Date(subscription.current_period_start);
    const periodEnd = new Date(subscription.current_period_end!);
    const newEnd = intervalChanged
      ? addInterval(now, product.recurring_interval!, product.recurring_interval_count ?? 1)
      : periodEnd;
    const items = trialing
      ? []
      : [
          ...this.prorationLines(current, subscription.seats, periodStart, periodEnd, now, 'credit'),
          ...this.prorationLines(product, seats, intervalChanged ? now : periodStart, newEnd, now, 'debit'),
        ];
    const apply = () => {
      Object.assign(subscription, {
        product_id: product.id,
        amount: this.staticAmount(product, seats),
        seats,
        recurring_interval: product.recurring_interval,
        recurring_interval_count: product.recurring_interval_count,
        pending_update: null,
        modified_at: this.now(),
      });
      if (intervalChanged && !trialing)
        Object.assign(subscription, {
          current_period_start: now.toISOString(),
          current_period_end: newEnd.toISOString(),
          current_meter_period_start: now.toISOString(),
          current_meter_period_end: newEnd.toISOString(),
        });
    };
    this.billChange(subscription, items, behavior === 'invoice' || intervalChanged, apply);
    this.send('subscription.updated', this.subscriptionView(subscription));
    // Polar enqueues the grant changes: they run after the update is answered.
    this.regrant(subscription, product);
    this.stateChanged(subscription.customer_id);
  }

  /** Polar's `validate_seats_change`, then the seat delta prorated per `behavior`. */
  changeSeats(subscription: StoredSubscription, seats: number, behavior: ProrationBehavior): void {
    if (subscription.status === 'canceled' || subscription.cancel_at_period_end)
      throw new AlreadyCanceledSubscription();
    const product = this.products.get(subscription.product_id)!;
    const price = product.prices.find((candidate) => candidate.amount_type === 'seat_based' && !candidate.is_archived);
    if (!price)
      throw new SubscriptionFailure(
        400,
        'NotASeatBasedSubscription',
        'This subscription does not support seat-based pricing.',
      );
    const tiers = price.seat_tiers as { minimum_seats: number; maximum_seats: number | null };
    if (seats < tiers.minimum_seats)
      throw new SubscriptionFailure(400, 'BelowMinimumSeats', `Minimum ${tiers.minimum_seats} seats required.`);
    if (tiers.maximum_seats !== null && seats > tiers.maximum_seats)
      throw new SubscriptionFailure(400, 'AboveMaximumSeats', `Maximum ${tiers.maximum_seats} seats allowed.`);
    const assigned = this.seatBook.assignedCount(subscription.id);
    if (seats < assigned)
      throw new SubscriptionFailure(
        400,
        'SeatsAlreadyAssigned',
        `Cannot decrease seats to ${seats}. Currently ${assigned} seats are assigned. Revoke seats first.`,
      );
    const oldSeats = subscription.seats ?? 1;
    if (oldSeats === seats) {
      // Re-asserting the current count cancels a scheduled seat change; with none it changes nothing.
      const pending = subscription.pending_update;
      if (!pending || pending.seats === null) return;
      subscription.pending_update = pending.product_id === null ? null : { ...pending, seats: null };
      this.send('subscription.updated', this.subscriptionView(subscription));
      return;
    }
    if (behavior === 'next_period') {
      this.schedule(subscription, { product_id: null, seats });
      return;
    }
    const now = this.clock();
    const start = new Date(subscription.current_period_start);
    const end = new Date(subscription.current_period_end!);
    const delta = Math.trunc(
      (priceAmount(price, null, seats) - priceAmount(price, null, oldSeats)) * prorationFactor(start, end, now),
    );
    const items: ProrationItem[] =
      subscription.status === 'trialing' || delta === 0
        ? []
        : [
            {
              label: `${product.name} (${oldSeats} → ${seats} seats) — From ${day(now.toISOString())} to ${day(end.toISOString())}`,
              amount: delta,
              product_price_id: price.id,
            },
          ];
    const apply = () =>
      Object.assign(subscription, { seats, amount: this.staticAmount(product, seats), modified_at: this.now() });
    this.billChange(subscription, items, behavior === 'invoice', apply);
    this.send('subscription.updated', this.subscriptionView(subscription));
    this.stateChanged(subscription.customer_id);
  }

  /** `next_period`: the change waits in `pending_update` and applies when the period ends. */
  private schedule(
    subscription: StoredSubscription,
    change: { product_id: string | null; seats: number | null },
  ): void {
    const pending = subscription.pending_update ?? null;
    subscription.pending_update = {
      created_at: pending?.created_at ?? this.now(),
      modified_at: pending ? this.now() : null,
      id: pending?.id ?? randomUUID(),
      applies_at: subscription.current_period_end,
      product_id: change.product_id ?? pending?.product_id ?? null,
      seats: change.seats ?? pending?.seats ?? null,
    };
    subscription.modified_at = this.now();
    this.send('subscription.updated', this.subscriptionView(subscription));
  }

  /** A scheduled (`next_period`) change takes effect at the start of the new period, before its order. */
  private applyPendingUpdate(subscription: StoredSubscription): void {
    const pending = subscription.pending_update as
      { product_id: string | null; seats: number | null } | null | undefined;
    if (!pending) return;
    const current = this.products.get(subscription.product_id)!;
    const product = pending.product_id ? this.products.get(pending.product_id)! : current;
    const seats = pending.seats ?? subscription.seats;
    Object.assign(subscription, {
      product_id: product.id,
      seats,
      amount: this.staticAmount(product, seats),
      recurring_interval: product.recurring_interval,
      recurring_interval_count: product.recurring_interval_count,
      pending_update: null,
    });
    if (product !== current) this.regrant(subscription, product);
  }

  /**
   * `invoice`: a `subscription_update` order for the prorations, paid now (a failed payment is Polar's 402
   * PaymentFailed and nothing changes); `prorate`: they wait for the next cycle order.
   */
  private billChange(
    subscription: StoredSubscription,
    items: ProrationItem[],
    invoice: boolean,
    apply: () => void,
  ): void {
    if (!invoice || items.length === 0) {
      if (items.length > 0)
        this.pendingProrations.set(subscription.id, [...(this.pendingProrations.get(subscription.id) ?? []), ...items]);
      apply();
      return;
    }
    const total = items.reduce((sum, item) => sum + item.amount, 0);
    if (total > 0 && !this.paymentSucceeds())
      throw new SubscriptionFailure(402, 'PaymentFailed', 'The payment failed: the card was declined.');
    apply();
    const customer = this.customerRecord(subscription.customer_id);
    const product = this.products.get(subscription.product_id)!;
    const order = this.createOrder(customer, product, 0, 'subscription_update', subscription, null, items);
    this.send('order.created', this.orderView(order));
    this.markPaid(order);
  }

  /** Fixed and seat prices of a product for a period (what the subscription's `amount` is). */
  private staticAmount(product: StoredProduct, seats: number | null): number {
    return product.prices
      .filter((price) => !price.is_archived && (price.amount_type === 'fixed' || price.amount_type === 'seat_based'))
      .reduce((sum, price) => sum + priceAmount(price, null, seats), 0);
  }

  /** Polar's proration billing entries: the unused time of the old prices (credit) or the rest of the new (debit). */
  private prorationLines(
    product: StoredProduct,
    seats: number | null,
    start: Date,
    end: Date,
    now: Date,
    direction: 'credit' | 'debit',
  ): ProrationItem[] {
    const factor = prorationFactor(start, end, now);
    const from = `From ${day(now.toISOString())} to ${day(end.toISOString())}`;
    return product.prices
      .filter((price) => !price.is_archived && (price.amount_type === 'fixed' || price.amount_type === 'seat_based'))
      .map((price) => ({ price, base: priceAmount(price, null, seats) }))
      .filter(({ base }) => base > 0)
      .map(({ price, base }) => {
        const amount = roundHalfEven(base * factor);
        return direction === 'credit'
          ? { label: `Remaining time on ${product.name} — ${from}`, amount: -amount, product_price_id: price.id }
          : { label: `${product.name} — ${from}`, amount, product_price_id: price.id };
      });
  }

  /** After a product change the subscription's grants follow the new product's benefits. */
  private regrant(subscription: StoredSubscription, to: StoredProduct): void {
    const kept = new Set(to.benefits.map((benefit) => benefit.id));
    this.revokeGrantsWhere((grant) => grant.subscription_id === subscription.id && !kept.has(grant.benefit_id));
    const held = new Set(
      [...this.grants.values()]
        .filter((grant) => grant.subscription_id === subscription.id && grant.is_granted)
        .map((grant) => grant.benefit_id),
    );
    for (const benefit of to.benefits)
      if (!held.has(benefit.id)) this.grant(subscription.customer_id, benefit, subscription.id, null);
  }

  // ---- discounts (rules in discounts.ts) ------------------------------------------------------------------------

  /** A discount by id, deleted ones included (orders and subscriptions keep showing theirs). */
  discountOf(id: string | null | undefined): StoredDiscount | null {
    return id ? (this.discounts.get(id) ?? null) : null;
  }

  /** Stores a discount or its changes, with Polar's `discount.created` / `discount.updated` webhook. */
  saveDiscount(discount: StoredDiscount, view: (discount: StoredDiscount) => Resource, created: boolean): void {
    if (!created) discount.modified_at = this.now();
    this.discounts.set(discount.id, discount);
    this.send(created ? 'discount.created' : 'discount.updated', view(discount));
  }

  /** Soft-deletes a discount (`discount.deleted`): no longer listed nor redeemable; subscriptions keep it. */
  deleteDiscount(discount: StoredDiscount, view: (discount: StoredDiscount) => Resource): void {
    discount.deleted_at = this.now();
    discount.modified_at = discount.deleted_at;
    this.send('discount.deleted', view(discount));
  }

  /** Polar's `redeem_discount` at confirm: refused when it is no longer redeemable, else one more redemption. */
  private redeemDiscount(checkout: StoredCheckout): void {
    const discount = this.discountOf(checkout.discount_id as string | null);
    if (!discount) return;
    if (!isRedeemable(discount, this.clock()))
      throw ValidationFailure.polar('discount_id', 'Discount is no longer redeemable.', discount.id);
    if (perCustomerLimitReached(discount, checkout, this.checkouts.values(), this.checkoutCustomer(checkout)))
      throw new DiscountRedemptionLimitReached();
    discount.redemptions_count++;
  }

  /** A failed payment frees the checkout's redemption (Polar's `remove_checkout_redemption`). */
  private releaseDiscount(checkout: StoredCheckout): void {
    const discount = this.discountOf(checkout.discount_id as string | null);
    if (discount && discount.redemptions_count > 0) discount.redemptions_count--;
  }

  /** Polar's `_clear_expired_discount` at a cycle: the discount for the new period, or none once its duration is over. */
  private cycleDiscount(subscription: StoredSubscription): StoredDiscount | null {
    const discount = this.discountOf(subscription.discount_id as string | null);
    if (!discount) return null;
    const appliedAt = this.discountAppliedAt.get(subscription.id) ?? subscription.current_period_start;
    this.discountAppliedAt.set(subscription.id, appliedAt);
    if (isRepetitionExpired(discount, appliedAt, subscription.current_period_start)) {
      subscription.discount_id = null;
      this.discountAppliedAt.delete(subscription.id);
      return null;
    }
    return discount;
  }

  /** `subscriptions.update({ discount_id })`: the new discount (or none) applies from the next cycle. */
  setSubscriptionDiscount(subscription: StoredSubscription, discount: StoredDiscount | null): void {
    if (discount) discount.redemptions_count++;
    subscription.discount_id = discount?.id ?? null;
    this.discountAppliedAt.delete(subscription.id);
    subscription.modified_at = this.now();
    this.send('subscription.updated', this.subscriptionView(subscription));
  }

  // ---- metadata, trials, billing periods, pauses (the other SubscriptionUpdate forms) -----------------------

  /**
   * The `trial_end` and `metadata` of a SubscriptionUpdateBase (Polar's `update_trial`, `update_metadata`):
   * one `subscription.updated`; `trial_end: 'now'` ends the trial with a cycle (order charged at once).
   */
  updateTrialAndMetadata(
    subscription: StoredSubscription,
    trialEnd: Date | 'now' | null,
    metadata: PolarEmulatorMetadata | null,
  ): void {
    let cycleNow = false;
    if (trialEnd !== null) {
      if (subscription.status !== 'active' && subscription.status !== 'trialing')
        throw new InactiveSubscription(subscription);
      const refuse = (msg: string) =>
        ValidationFailure.polar('trial_end', msg, trialEnd === 'now' ? 'now' : trialEnd.toISOString());
      if (subscription.status === 'active') {
        if (trialEnd === 'now') throw refuse('The subscription is not currently trialing.');
        if (trialEnd.getTime() <= new Date(subscription.current_period_end!).getTime())
          throw refuse('Trial end must be after the current period end.');
      }
    }
    const now = this.now();
    if (trialEnd !== null) {
      const end = trialEnd === 'now' ? now : trialEnd.toISOString();
      cycleNow = trialEnd === 'now';
      Object.assign(subscription, { status: 'trialing', trial_end: end, current_period_end: end });
      if (subscription.cancel_at_period_end) subscription.ends_at = end;
      // A scheduled change applies when the (moved) period ends.
      if (subscription.pending_update) subscription.pending_update.applies_at = end;
    }
    if (metadata !== null) subscription.metadata = structuredClone(metadata);
    subscription.modified_at = now;
    if (cycleNow) this.renew(subscription);
    else this.send('subscription.updated', this.subscriptionView(subscription));
    this.stateChanged(subscription.customer_id);
  }

  /** SubscriptionUpdateBillingPeriod (Polar's `update_currrent_billing_period_end`): the period renews at `end`. */
  setCurrentPeriodEnd(subscription: StoredSubscription, end: Date): void {
    if (subscription.status === 'canceled' || subscription.status === 'unpaid') throw new AlreadyCanceledSubscription();
    if (subscription.status !== 'active' && subscription.status !== 'trialing')
      throw new InactiveSubscription(subscription);
    if (subscription.cancel_at_period_end) throw new AlreadyCanceledSubscription();
    Object.assign(subscription, { current_period_end: end.toISOString(), modified_at: this.now() });
    if (subscription.current_meter_period_end !== null) subscription.current_meter_period_end = end.toISOString();
    this.send('subscription.updated', this.subscriptionView(subscription));
    this.stateChanged(subscription.customer_id);
  }

  /** SubscriptionPause with `pause_at_period_end: true`: the subscription stays active and pauses when the period ends. */
  schedulePause(subscription: StoredSubscription, resumesAt: Date | null): void {
    const canPause =
      subscription.status === 'active' &&
      !subscription.cancel_at_period_end &&
      !subscription.pause_at_period_end &&
      subscription.ends_at === null;
    if (!canPause) throw new SubscriptionFailure(409, 'CannotPauseSubscription', 'This subscription cannot be paused.');
    if (resumesAt !== null && resumesAt.getTime() <= new Date(subscription.current_period_end!).getTime())
      throw ValidationFailure.polar(
        'resumes_at',
        'resumes_at must be after the current period end.',
        resumesAt.toISOString(),
      );
    Object.assign(subscription, {
      pause_at_period_end: true,
      resumes_at: resumesAt === null ? null : resumesAt.toISOString(),
      modified_at: this.now(),
    });
    this.send('subscription.updated', this.subscriptionView(subscription));
  }

  /** SubscriptionPause with `pause_at_period_end: false`: the scheduled pause is called off. */
  cancelScheduledPause(subscription: StoredSubscription): void {
    if (!subscription.pause_at_period_end || subscription.status !== 'active')
      throw new SubscriptionFailure(409, 'NoScheduledPause', 'This subscription is not scheduled to be paused.');
    Object.assign(subscription, { pause_at_period_end: false, resumes_at: null, modified_at: this.now() });
    this.send('subscription.updated', this.subscriptionView(subscription));
  }

  /** At the end of its period a subscription due to pause becomes `paused`: no order, its benefits revoked. */
  private enterPause(subscription: StoredSubscription): void {
    const now = this.now();
    Object.assign(subscription, { status: 'paused', paused_at: now, pause_at_period_end: false, modified_at: now });
    this.send('subscription.updated', this.subscriptionView(subscription));
    this.send('subscription.paused', this.subscriptionView(subscription));
    this.revokeGrants(subscription.id);
    this.stateChanged(subscription.customer_id);
  }

  private resumeIsDue(subscription: StoredSubscription): boolean {
    const resumesAt = subscription.resumes_at;
    return typeof resumesAt === 'string' && new Date(resumesAt).getTime() <= this.clock().getTime();
  }

  /**
   * SubscriptionResume (or `resumes_at` reached): a fresh period starts now, the benefits are granted again and
   * the period's order is charged (`subscription_cycle`; a failed payment makes it `past_due`).
   */
  resume(subscription: StoredSubscription): void {
    if (subscription.status !== 'paused')
      throw new SubscriptionFailure(409, 'NotPausedSubscription', 'This subscription is not paused.');
    const start = this.clock();
    const end = addInterval(
      start,
      subscription.recurring_interval as string,
      Number(subscription.recurring_interval_count),
    );
    Object.assign(subscription, {
      status: 'active',
      paused_at: null,
      resumes_at: null,
      current_period_start: start.toISOString(),
      current_period_end: end.toISOString(),
      current_meter_period_start: start.toISOString(),
      current_meter_period_end: end.toISOString(),
      modified_at: start.toISOString(),
    });
    this.send('subscription.updated', this.subscriptionView(subscription));
    this.send('subscription.resumed', this.subscriptionView(subscription));
    this.resetMeteredPrices(subscription, start.getTime());
    const product = this.products.get(subscription.product_id)!;
    this.regrant(subscription, product);
    const order = this.createOrder(
      this.customerRecord(subscription.customer_id),
      product,
      subscription.amount,
      'subscription_cycle',
      subscription,
      null,
    );
    this.send('order.created', this.orderView(order));
    this.collect(subscription, order);
    this.stateChanged(subscription.customer_id);
  }

  /** SubscriptionUpdateClear: a scheduled (`next_period`) change is dropped. */
  clearPendingUpdate(subscription: StoredSubscription): void {
    if (!subscription.pending_update)
      throw ValidationFailure.polar('pending_update', 'This subscription has no pending update to clear.', null);
    Object.assign(subscription, { pending_update: null, modified_at: this.now() });
    this.send('subscription.updated', this.subscriptionView(subscription));
  }

  private oneTimeSeats(checkoutId: string | null, subscription: StoredSubscription | null): number | null {
    if (subscription !== null || checkoutId === null) return null;
    const seats = this.checkouts.get(checkoutId)?.seats;
    return typeof seats === 'number' ? seats : null;
  }

  // ---- benefits ----------------------------------------------------------------------------------------------

  grant(
    customerId: string,
    benefit: Resource,
    subscriptionId: string | null,
    orderId: string | null,
    memberId: string | null = null,
  ): void {
    const now = this.now();
    // Polar's `grant_benefit`: one grant per benefit and scope (the subscription, else the order); a revoked one
    // is granted again (same id, same license key), a granted one is left as it is.
    const existing = [...this.grants.values()].find(
      (candidate) =>
        candidate.customer_id === customerId &&
        candidate.benefit_id === benefit.id &&
        (subscriptionId !== null ? candidate.subscription_id === subscriptionId : candidate.order_id === orderId),
    );
    if (existing?.is_granted) return;
    if (existing) {
      Object.assign(existing, {
        granted_at: now,
        is_granted: true,
        revoked_at: null,
        is_revoked: false,
        modified_at: now,
      });
      const key = this.licenseKeys.get(String((existing.properties as Record<string, unknown>).license_key_id));
      if (key) Object.assign(key, { status: 'granted', modified_at: now });
      else if (benefit.type === 'license_keys')
        existing.properties = this.issueLicenseKey(customerId, benefit, subscriptionId);
      if (benefit.type === 'meter_credit') existing.properties = this.creditMeter(customerId, benefit);
      this.send('benefit_grant.created', this.grantView(existing));
      return;
    }
    const grant: StoredGrant = {
      ...this.stamp(),
      granted_at: now,
      is_granted: true,
      revoked_at: null,
      is_revoked: false,
      subscription_id: subscriptionId,
      order_id: orderId,
      customer_id: customerId,
      // With the member model every grant names a member: a seat's holder, else the customer's owner (Polar's
      // `resolve_member`).
      member_id: memberId ?? (this.customers.memberModel ? this.ownerOf(customerId) : null),
      benefit_id: benefit.id,
      error: null,
      properties: {},
    };
    if (benefit.type === 'license_keys') grant.properties = this.issueLicenseKey(customerId, benefit, subscriptionId);
    if (benefit.type === 'meter_credit') grant.properties = this.creditMeter(customerId, benefit);
    this.grants.set(grant.id, grant);
    this.send('benefit_grant.created', this.grantView(grant));
  }

  private ownerOf(customerId: string): string | null {
    return this.customers.membersOf(customerId).find((member) => member.role === 'owner')?.id ?? null;
  }

  private revokeGrants(subscriptionId: string): void {
    this.revokeGrantsWhere((grant) => grant.subscription_id === subscriptionId);
  }

  /** Revokes the granted grants `which` selects (`benefit_grant.revoked` each); true when any was. */
  revokeGrantsWhere(which: (grant: StoredGrant) => boolean): boolean {
    let any = false;
    for (const grant of this.grants.values()) {
      if (!grant.is_granted || !which(grant)) continue;
      any = true;
      const now = this.now();
      const benefit = this.benefits.get(grant.benefit_id)!;
      if (benefit.type === 'license_keys') {
        const key = this.licenseKeys.get(String((grant.properties as Record<string, unknown>).license_key_id));
        if (key) Object.assign(key, { status: 'revoked', modified_at: now });
      }
      if (benefit.type === 'meter_credit') {
        // Polar's revoke takes back the last credit.
        const properties = grant.properties as { last_credited_meter_id?: string; last_credited_units?: number };
        if (properties.last_credited_meter_id)
          this.meterLedger.push({
            customer_id: grant.customer_id,
            meter_id: properties.last_credited_meter_id,
            at: this.clock().getTime(),
            kind: 'credit',
            units: -(properties.last_credited_units ?? 0),
          });
      }
      Object.assign(grant, { is_granted: false, is_revoked: true, revoked_at: now, modified_at: now });
      this.send('benefit_grant.revoked', this.grantView(grant));
    }
    return any;
  }

  // ---- license keys (Polar's license_key service) ---------------------------------------------------------------

  /** A `license_keys` grant's key: `PREFIX-UUID` upper-cased, limits from the benefit's properties. */
  private issueLicenseKey(
    customerId: string,
    benefit: Resource,
    subscriptionId: string | null,
  ): Record<string, unknown> {
    const properties = benefit.properties as {
      prefix: string | null;
      expires: { ttl: number; timeframe: 'year' | 'month' | 'day' } | null;
      activations: { limit: number } | null;
      limit_usage: number | null;
    };
    const uuid = randomUUID().toUpperCase();
    const key = properties.prefix ? `${properties.prefix.trim().toUpperCase()}-${uuid}` : uuid;
    // Subscription-backed keys never expire; they follow the subscription.
    const expires = subscriptionId === null ? properties.expires : null;
    const licenseKey: StoredLicenseKey = {
      ...this.stamp(),
      organization_id: this.customers.organizationId,
      customer_id: customerId,
      benefit_id: benefit.id,
      key,
      display_key: `****-${key.slice(-6)}`,
      status: 'granted',
      limit_activations: properties.activations?.limit ?? null,
      usage: 0,
      limit_usage: properties.limit_usage,
      validations: 0,
      last_validated_at: null,
      expires_at: expires ? addInterval(this.clock(), expires.timeframe, expires.ttl).toISOString() : null,
    };
    this.licenseKeys.set(licenseKey.id, licenseKey);
    return { license_key_id: licenseKey.id, display_key: licenseKey.display_key };
  }

  findLicenseKey(organizationId: string, key: string): StoredLicenseKey | undefined {
    if (organizationId !== this.customers.organizationId) return undefined;
    for (const candidate of this.licenseKeys.values()) if (candidate.key === key) return candidate;
    return undefined;
  }

  /** LicenseKeyRead: the key with its customer. */
  licenseKeyView(key: StoredLicenseKey): Resource {
    return structuredClone({ ...key, customer: this.customerRecord(key.customer_id) });
  }

  keyActivations(key: StoredLicenseKey): StoredActivation[] {
    return [...this.activations.values()].filter((activation) => activation.license_key_id === key.id);
  }

  // ---- meter credits (Polar's meter_credit benefit: `meter.credited` events, reset on cycle) ---------------------

  private creditMeter(customerId: string, benefit: Resource): Record<string, unknown> {
    const properties = benefit.properties as { units: number; meter_id: string };
    const at = this.clock().getTime();
    this.meterLedger.push({
      customer_id: customerId,
      meter_id: properties.meter_id,
      at,
      kind: 'credit',
      units: properties.units,
    });
    return {
      last_credited_meter_id: properties.meter_id,
      last_credited_units: properties.units,
      last_credited_at: new Date(at).toISOString(),
    };
  }

  /** A cycle resets each credited meter (carrying a positive balance when the benefit rolls over) and credits again. */
  private cycleMeterCredits(subscription: StoredSubscription): void {
    for (const grant of this.grants.values()) {
      if (grant.subscription_id !== subscription.id || !grant.is_granted) continue;
      const benefit = this.benefits.get(grant.benefit_id)!;
      if (benefit.type !== 'meter_credit') continue;
      const properties = benefit.properties as { meter_id: string; rollover: boolean };
      const meter = this.meters.get(properties.meter_id);
      const balance = meter ? this.meterBalance(meter, grant.customer_id).balance : 0;
      const at = this.clock().getTime();
      this.meterLedger.push({
        customer_id: grant.customer_id,
        meter_id: properties.meter_id,
        at,
        kind: 'reset',
        units: 0,
      });
      if (properties.rollover && balance > 0)
        this.meterLedger.push({
          customer_id: grant.customer_id,
          meter_id: properties.meter_id,
          at,
          kind: 'credit',
          units: balance,
        });
      grant.properties = this.creditMeter(grant.customer_id, benefit);
      grant.modified_at = this.now();
      this.send('benefit_grant.cycled', this.grantView(grant));
    }
  }

  /**
   * Polar's `reset_meters` for the meters of the subscription's metered prices: usage before `at` (the period's
   * start) no longer counts. A meter a `meter_credit` benefit credits resets with its credits (`cycleMeterCredits`).
   */
  private resetMeteredPrices(subscription: StoredSubscription, at: number): void {
    const credited = new Set(
      [...this.grants.values()]
        .filter((grant) => grant.subscription_id === subscription.id && grant.is_granted)
        .map((grant) => this.benefits.get(grant.benefit_id)!)
        .filter((benefit) => benefit.type === 'meter_credit')
        .map((benefit) => (benefit.properties as { meter_id: string }).meter_id),
    );
    const product = this.products.get(subscription.product_id)!;
    for (const price of product.prices) {
      if (price.amount_type !== 'metered_unit' || price.is_archived) continue;
      const meterId = String(price.meter_id);
      if (credited.has(meterId)) continue;
      this.meterLedger.push({ customer_id: subscription.customer_id, meter_id: meterId, at, kind: 'reset', units: 0 });
    }
  }

  /** The customer's consumed and credited units on a meter since its last reset. */
  meterBalance(meter: StoredMeter, customerId: string): { consumed: number; credited: number; balance: number } {
    const entries = this.meterLedger.filter((entry) => entry.customer_id === customerId && entry.meter_id === meter.id);
    const resetAt = entries.filter((entry) => entry.kind === 'reset').at(-1)?.at ?? -Infinity;
    const credited = entries
      .filter((entry) => entry.kind === 'credit' && entry.at >= resetAt)
      .reduce((sum, entry) => sum + entry.units, 0);
    const consumed = this.quantity(meter, customerId, resetAt);
    return { consumed, credited, balance: credited - consumed };
  }

  grantView(grant: StoredGrant): Resource {
    return structuredClone({
      ...grant,
      customer: this.customerRecord(grant.customer_id),
      member:
        grant.member_id === null ? null : (this.customers.allMembers().find((m) => m.id === grant.member_id) ?? null),
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
  quantity(meter: StoredMeter, customerId?: string, sinceMs = -Infinity): number {
    const values: number[] = [];
    const unique = new Set<unknown>();
    for (const event of this.events) {
      if (customerId !== undefined && this.eventCustomer(event)?.id !== customerId) continue;
      if (new Date(String(event.timestamp)).getTime() < sinceMs) continue;
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

  /** One entry per meter the customer has usage or credits on (CustomerStateMeter). */
  customerMeters(customerId: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const meter of this.meters.values()) {
      const hasEvents = this.events.some(
        (event) => this.eventCustomer(event)?.id === customerId && matchesFilter(event, meter.filter),
      );
      const hasCredits = this.meterLedger.some(
        (entry) => entry.customer_id === customerId && entry.meter_id === meter.id,
      );
      if (!hasEvents && !hasCredits) continue;
      const { consumed, credited, balance } = this.meterBalance(meter, customerId);
      out.push({
        id: meterEntryId(meter.id, customerId),
        created_at: meter.created_at,
        modified_at: this.now(),
        meter_id: meter.id,
        consumed_units: consumed,
        credited_units: credited,
        balance,
      });
    }
    return out;
  }

  /** Every customer's meters as `GET /v1/customer-meters/` lists them (CustomerMeter: with customer and meter). */
  allCustomerMeters(): Resource[] {
    const out: Resource[] = [];
    for (const customer of this.customers.all()) {
      if (customer.deleted_at !== null) continue;
      for (const entry of this.customerMeters(customer.id))
        out.push({
          ...(entry as Resource),
          customer_id: customer.id,
          customer: structuredClone(customer),
          meter: structuredClone(this.meters.get(entry.meter_id as string)!),
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

/** Polar's InactiveSubscription (403): the subscription is neither active nor trialing. */
export class InactiveSubscription extends BillingFailure {
  constructor(subscription: StoredSubscription) {
    super(403, { error: 'InactiveSubscription', detail: `Subscription ${subscription.id} is not active.` });
  }
}

/** A subscription-service refusal other than AlreadyCanceledSubscription (402 PaymentFailed, 400 seat limits, …). */
export class SubscriptionFailure extends BillingFailure {
  constructor(status: number, error: string, detail: string) {
    super(status, { error, detail });
  }
}

/** Polar's RefundedAlready (403). */
export class RefundedAlready extends BillingFailure {
  constructor(orderId: string) {
    super(403, { error: 'RefundedAlready', detail: `Order is already fully refunded: ${orderId}` });
  }
}

/** Polar's RefundDisputedPayment (403): the processor refuses to refund a disputed charge. */
export class RefundDisputedPayment extends BillingFailure {
  constructor(orderId: string) {
    super(403, {
      error: 'RefundDisputedPayment',
      detail: `Refund cannot be issued for order with disputed payment: ${orderId}`,
    });
  }
}

/** Polar's RevokeSubscriptionBenefitsProhibited (400): subscriptions revoke benefits when they end. */
export class RevokeSubscriptionBenefitsProhibited extends BillingFailure {
  constructor() {
    super(400, {
      error: 'RevokeSubscriptionBenefitsProhibited',
      detail: 'Subscription benefits can only be revoked upon cancellation',
    });
  }
}

/** Polar's RefundUnknownPayment (404): the order was never paid. */
export class RefundUnknownPayment extends BillingFailure {
  constructor(orderId: string) {
    super(404, { error: 'RefundUnknownPayment', detail: `Refund issued for unknown order: ${orderId}` });
  }
}

/** Share of the period from `now` to its end (Polar's `_calculate_time_proration`). */
function prorationFactor(start: Date, end: Date, now: Date): number {
  const total = end.getTime() - start.getTime();
  const remaining = end.getTime() - now.getTime();
  return remaining <= 0 || total <= 0 ? 0 : remaining / total;
}
