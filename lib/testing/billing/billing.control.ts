import { ValidationFailure } from '../emulator.http.js';
import type { BillingStore, Resource, StoredCheckout, StoredLicenseKey, StoredProduct } from './billing.store.js';
import type { PolarEmulatorCustomer } from '../emulator.types.js';
import { parseBenefitIds, parseProductCreate } from './catalog.routes.js';
import { parseCheckoutCreate } from './checkout.routes.js';
import { discountView, parseDiscountCreate } from './discounts.js';

/** A price of `seedProduct`, as `products.create` takes it (snake_case, amounts in cents; fixed 0 is free). */
export type PolarEmulatorPriceSeed =
  | { amount_type: 'fixed'; price_amount: number; price_currency?: string }
  | {
      amount_type: 'custom';
      minimum_amount?: number | null;
      maximum_amount?: number | null;
      preset_amount?: number | null;
      price_currency?: string;
    }
  | {
      amount_type: 'seat_based';
      seat_tiers: { tiers: { min_seats: number; max_seats?: number | null; price_per_seat: number }[] };
      price_currency?: string;
    }
  | { amount_type: 'metered_unit'; meter_id: string; unit_amount: number | string; cap_amount?: number | null };

/** What `seedProduct` takes: the `products.create` body, plus ids of benefits to attach. */
export interface PolarEmulatorProductSeed {
  name: string;
  prices: PolarEmulatorPriceSeed[];
  recurring_interval?: 'day' | 'week' | 'month' | 'year' | null;
  recurring_interval_count?: number | null;
  trial_interval?: 'day' | 'week' | 'month' | 'year' | null;
  trial_interval_count?: number | null;
  description?: string | null;
  visibility?: 'draft' | 'private' | 'public';
  metadata?: Record<string, string | number | boolean>;
  /** Ids of benefits (from `benefits.create`) granted with every purchase. */
  benefits?: string[];
}

/** Who buys and what, for `purchase` and `seedSubscription`: ids, or the objects the emulator or the SDK returned. */
export interface PolarEmulatorPurchase {
  customer: string | { id: string };
  product: string | { id: string };
}

/** What a purchase created, in the API's shapes. */
export interface PolarEmulatorPurchaseResult {
  checkout: Resource;
  order: Resource;
  /** The subscription of a recurring product; null for a one-time purchase. */
  subscription: Resource | null;
}

/** A license key as `licenseKeys.get` returns it (LicenseKeyRead), with the full `key`. */
export type PolarEmulatorLicenseKey = StoredLicenseKey & { customer: PolarEmulatorCustomer };

/** The seeding helpers validate like the API; a 422 becomes an Error naming each field and rule. */
function seeding<T>(helper: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ValidationFailure) {
      const rules = error.issues.map((issue) => `${issue.loc.slice(1).join('.')}: ${issue.msg}`).join('; ');
      throw new Error(`billing.${helper}: ${rules}`, { cause: error });
    }
    if (error instanceof Error) throw new Error(`billing.${helper}: ${error.message}`, { cause: error });
    throw error;
  }
}

const idOf = (ref: string | { id: string }): string => (typeof ref === 'string' ? ref : ref.id);

/** The emulator's "now": the `clock` option (or the system clock) plus however far tests advanced it. */
export class TestClock {
  private offsetMs = 0;

  constructor(private readonly base: () => Date = () => new Date()) {}

  readonly now = (): Date => new Date(this.base().getTime() + this.offsetMs);

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('billing.advanceTime: ms must be a non-negative number');
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/**
 * Test control of the billing lifecycle: move time, decide payment outcomes, and read what the emulator holds.
 * Everything here is what a test cannot click; the rest goes through the real API routes.
 */
export class PolarEmulatorBilling {
  constructor(
    private readonly store: BillingStore,
    private readonly clock: TestClock,
  ) {}

  /**
   * Moves the emulator clock forward by `ms` and runs what fell due: checkouts expire (`checkout.expired`),
   * subscriptions renew (`subscription.updated`, `subscription.cycled`, `order.created`, `order.paid`, or
   * `subscription.past_due` when the payment fails), past-due payments are retried on Polar's dunning schedule
   * (2, 5, 7, 7 days), and subscriptions canceled at period end end (`subscription.revoked`, `benefit_grant.revoked`).
   */
  advanceTime(ms: number): void {
    this.clock.advance(ms);
    this.store.runDue();
  }

  /** The emulator's current time: the `clock` option (or the system clock) plus what `advanceTime` added. */
  now(): Date {
    return this.clock.now();
  }

  /** The next `n` renewal, retry or `invoice` plan-change payments fail (the checkout page's **Decline** button fails a checkout). */
  failNextPayments(n = 1): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('billing.failNextPayments: n must be a positive integer');
    this.store.failPayments(n);
  }

  /** Pays an open checkout as the **Pay** button does; returns the checkout (status `succeeded`). */
  pay(checkoutId: string): Resource {
    return structuredClone(this.store.confirmCheckout(this.checkout(checkoutId), 'pay'));
  }

  /** Declines an open checkout's card as the **Decline** button does (status `failed`). */
  decline(checkoutId: string): Resource {
    return structuredClone(this.store.confirmCheckout(this.checkout(checkoutId), 'decline'));
  }

  /**
   * The invitation token of a pending seat: what Polar's invitation email links to (the emulator sends no email), for
   * `customerSeats.getClaimInfo` / `claimSeat`. Throws when the seat is unknown or has no token (claimed, revoked).
   */
  seatInvitationToken(seatId: string): string {
    const token = this.store.seatBook.seats.get(seatId)?.invitation_token;
    if (typeof token !== 'string') throw new Error(`billing: seat ${seatId} has no pending invitation`);
    return token;
  }

  /**
   * Stores a product as `products.create` does (same validation, `product.created`), attaches `benefits`
   * (`product.updated`), and returns it as the API does.
   */
  seedProduct(input: PolarEmulatorProductSeed): Resource {
    return seeding('seedProduct', () => {
      const { benefits, ...body } = input;
      const benefitIds = benefits === undefined ? [] : parseBenefitIds(this.store, { benefits });
      let product: StoredProduct = this.store.addProduct(parseProductCreate(this.store, body));
      if (benefitIds.length > 0) product = this.store.setProductBenefits(product, benefitIds);
      return structuredClone(product);
    });
  }

  /**
   * Stores a discount as `discounts.create` does (same body, validation and `discount.created`) and returns it as
   * the API does; e.g. `seedDiscount({ type: 'percentage', name: 'Launch', duration: 'once', basis_points: 2000, code: 'LAUNCH' })`.
   */
  seedDiscount(input: Record<string, unknown>): Resource {
    return seeding('seedDiscount', () => {
      const discount = parseDiscountCreate(input, {
        now: this.store.now(),
        organizationId: this.store.customers.organizationId,
        discounts: this.store.discounts.values(),
        products: this.store.products,
      });
      const view = (d: typeof discount) => discountView(d, this.store.products);
      this.store.saveDiscount(discount, view, true);
      return view(discount);
    });
  }

  /**
   * The customer buys the product: a checkout for them is created (`checkout.created`) and paid as the
   * **Pay** button pays it, so the orders, subscription, grants, webhooks and refusals (403
   * `AlreadyActiveSubscriptionError`) are exactly those of a real purchase.
   */
  purchase({ customer, product }: PolarEmulatorPurchase): PolarEmulatorPurchaseResult {
    return seeding('purchase', () => this.buy(idOf(customer), idOf(product)));
  }

  /** `purchase` of a recurring product; returns the new subscription (`active`, or `trialing` for a trial). */
  seedSubscription({ customer, product }: PolarEmulatorPurchase): Resource {
    return seeding('seedSubscription', () => {
      const stored = this.store.products.get(idOf(product));
      if (stored && !stored.is_recurring) throw new Error(`product ${stored.id} is not recurring`);
      return this.buy(idOf(customer), idOf(product)).subscription!;
    });
  }

  private buy(customerId: string, productId: string): PolarEmulatorPurchaseResult {
    const body = { products: [productId], customer_id: customerId };
    const checkout = this.store.addCheckout(parseCheckoutCreate(this.store, this.store.baseUrl(), body));
    this.store.confirmCheckout(checkout, 'pay');
    const order = [...this.store.orders.values()].find((candidate) => candidate.checkout_id === checkout.id)!;
    const subscription = checkout.subscription_id ? this.store.subscriptions.get(checkout.subscription_id)! : null;
    return {
      checkout: this.store.checkoutView(checkout),
      order: this.store.orderView(order),
      subscription: subscription ? this.store.subscriptionView(subscription) : null,
    };
  }

  /**
   * The customer's bank disputes a paid order's payment (a chargeback): a `needs_response` dispute, listed by
   * `disputes.list`. `amount` defaults to what was paid and not refunded; evidence is due in `evidenceDays` (21).
   * Polar sends no webhook for a dispute; its resolution revokes (see `settleDispute`).
   */
  openDispute(
    order: string | { id: string },
    options: { amount?: number; reason?: string; evidenceDays?: number } = {},
  ): Resource {
    return seeding('openDispute', () => {
      const stored = this.store.orders.get(idOf(order));
      if (!stored) throw new Error(`no order with id ${idOf(order)}`);
      if (!stored.paid) throw new Error(`order ${stored.id} was not paid`);
      if ([...this.store.disputes.values()].some((dispute) => dispute.order_id === stored.id))
        throw new Error(`order ${stored.id} is already disputed`);
      const disputable = Number(stored.refundable_amount);
      const amount = options.amount ?? disputable;
      if (!Number.isInteger(amount) || amount <= 0 || amount > disputable)
        throw new Error(`amount must be an integer from 1 to ${disputable} (cents paid and not refunded)`);
      const dispute = this.store.openDispute(
        stored,
        amount,
        options.reason ?? 'fraudulent',
        options.evidenceDays ?? 21,
      );
      return this.store.disputeView(dispute);
    });
  }

  /**
   * The processor moves a dispute on: `under_review` (evidence submitted), or resolved `won` / `lost`. Polar revokes
   * on either resolution: the order's subscription is revoked at once (`subscription.revoked`), or a one-time
   * order's benefits (`benefit_grant.revoked`).
   */
  settleDispute(disputeId: string, status: 'under_review' | 'won' | 'lost'): Resource {
    return seeding('settleDispute', () => {
      const dispute = this.store.disputes.get(disputeId);
      if (!dispute) throw new Error(`no dispute with id ${disputeId}`);
      return this.store.disputeView(this.store.settleDispute(dispute, status));
    });
  }

  /**
   * The processor reports a refund failed (`refund.updated`, status `failed`): the amount goes back on the order
   * (`order.updated`: `refunded_amount` and status as before the refund).
   */
  failRefund(refundId: string): Resource {
    return seeding('failRefund', () => {
      const refund = this.store.refunds.get(refundId);
      if (!refund) throw new Error(`no refund with id ${refundId}`);
      return structuredClone(this.store.failRefund(refund));
    });
  }

  private checkout(id: string): StoredCheckout {
    const checkout = this.store.checkouts.get(id);
    if (!checkout) throw new Error(`billing: no checkout with id ${id}`);
    return checkout;
  }

  /** Products, oldest first, as the API returns them. */
  get products(): Resource[] {
    return structuredClone([...this.store.products.values()]);
  }

  /** Subscriptions, oldest first, as the API returns them. */
  get subscriptions(): Resource[] {
    return [...this.store.subscriptions.values()].map((s) => this.store.subscriptionView(s));
  }

  /** Orders, oldest first, as the API returns them. */
  get orders(): Resource[] {
    return [...this.store.orders.values()].map((o) => this.store.orderView(o));
  }

  /** Benefit grants, oldest first, as the benefit_grant webhooks carry them. */
  get benefitGrants(): Resource[] {
    return [...this.store.grants.values()].map((g) => this.store.grantView(g));
  }

  /** Refunds, oldest first, as `refunds.create` returned them. */
  get refunds(): Resource[] {
    return structuredClone([...this.store.refunds.values()]);
  }

  /** Disputes, oldest first, as `disputes.get` returns them. */
  get disputes(): Resource[] {
    return [...this.store.disputes.values()].map((dispute) => this.store.disputeView(dispute));
  }

  /** License keys granted by `license_keys` benefits, oldest first (LicenseKeyRead, with the full key). */
  get licenseKeys(): PolarEmulatorLicenseKey[] {
    return [...this.store.licenseKeys.values()].map((key) => this.store.licenseKeyView(key) as PolarEmulatorLicenseKey);
  }

  /** Every customer's meters (consumed, credited, balance), as `customerMeters.list` returns them. */
  get customerMeters(): Resource[] {
    return this.store.allCustomerMeters();
  }

  /** Discounts, oldest first, deleted ones included, as `discounts.get` returns them (with `redemptions_count`). */
  get discounts(): Resource[] {
    return [...this.store.discounts.values()].map((d) => discountView(d, this.store.products));
  }

  /** Ingested events (duplicates dropped), oldest first. */
  get events(): Resource[] {
    return structuredClone(this.store.events);
  }
}
