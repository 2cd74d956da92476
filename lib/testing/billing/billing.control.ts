import type { BillingStore, Resource, StoredCheckout } from './billing.store.js';

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

  /** The next `n` renewal or retry payments fail (the checkout page's **Decline** button fails a checkout). */
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

  /** Ingested events (duplicates dropped), oldest first. */
  get events(): Resource[] {
    return structuredClone(this.store.events);
  }
}
