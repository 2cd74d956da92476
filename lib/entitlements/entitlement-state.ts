import { POLAR_ID_PATTERN } from '../common/option-rules.js';
import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import type { PolarEntitlementsConfig } from '../interfaces/polar-entitlements-options.interface.js';
import type { PolarResolvedPlans } from '../interfaces/polar-plans.interface.js';
import {
  entitlingSubscriptions,
  hasBenefitId,
  memberSnapshot,
  meterBalanceOf,
  onGracePeriod,
  onTrial,
  pastDue,
  type PolarCustomerStateSnapshot,
  type PolarEntitlementBenefit,
  type PolarEntitlementMeter,
  type PolarEntitlementSubscription,
  type PolarMemberRef,
} from './customer-state.snapshot.js';

/** Plans and products, as the helpers take them: a plan name of the `plans` option, or a Polar product id. */
export type PolarPlanOrProduct = string | readonly string[];

/** What the state's names resolve against: the module's plans, benefit and meter names. */
export interface PolarEntitlementNames {
  plans: PolarResolvedPlans;
  config: Pick<PolarEntitlementsConfig, 'benefits' | 'meters'>;
}

/** Polar product ids of plan names and product ids; an unknown plan name is a configuration mistake. */
export function productsOf(names: PolarEntitlementNames, plans: PolarPlanOrProduct | undefined): string[] | undefined {
  if (plans === undefined) return undefined;
  const entries = typeof plans === 'string' ? [plans] : plans;
  return entries.flatMap((entry) => {
    if (POLAR_ID_PATTERN.test(entry)) return [entry.toLowerCase()];
    const plan = names.plans[entry];
    if (!plan) {
      throw new PolarConfigurationError(
        `PolarModule: plan "${entry}" is not in the "plans" option (nor a Polar product id).`,
        'plans',
      );
    }
    return plan.products.map((id) => id.toLowerCase());
  });
}

function idOf(names: Readonly<Record<string, string>>, idOrName: string, what: string, option: string): string {
  if (POLAR_ID_PATTERN.test(idOrName)) return idOrName;
  const id = names[idOrName];
  if (id === undefined) {
    throw new PolarConfigurationError(
      `PolarModule: ${what} "${idOrName}" is not in the "${option}" option (nor a Polar ${what} id).`,
      option,
    );
  }
  return id;
}

/**
 * One customer's billing state as the cache holds it, with Laravel Cashier's questions. Plans are
 * names of the module's `plans` option (or product ids); benefits and meters are ids or names of
 * `entitlements.benefits` / `entitlements.meters`. Reads only: asking never calls Polar.
 */
export class PolarEntitlementState {
  constructor(
    private readonly snapshot: PolarCustomerStateSnapshot,
    private readonly names: PolarEntitlementNames,
    /** The clock the end dates are compared with (epoch ms). */
    private readonly now: number,
    /** True when Polar could not be reached and this is the last known state (`onPolarDown: 'serve-stale'`). */
    readonly stale = false,
  ) {}

  /** The customer, or null when Polar knows none for this identity (never bought, or deleted). */
  get customer(): PolarCustomerStateSnapshot['customer'] {
    return this.snapshot.customer;
  }

  /** Active, trialing and past-due subscriptions. */
  get subscriptions(): readonly PolarEntitlementSubscription[] {
    return this.snapshot.subscriptions;
  }

  /** Granted benefits. */
  get benefits(): readonly PolarEntitlementBenefit[] {
    return this.snapshot.benefits;
  }

  /** Active meters. */
  get meters(): readonly PolarEntitlementMeter[] {
    return this.snapshot.meters;
  }

  /**
   * What one member of a team customer holds (`member_id` or `external_member_id`, as the resolver
   * answers them): the team's subscriptions they hold a seat on, the benefits granted to them, the
   * team's meters. For an individual customer, or no member named, this state itself.
   */
  forMember(member: PolarMemberRef): PolarEntitlementState {
    const own = memberSnapshot(this.snapshot, member);
    return own === this.snapshot ? this : new PolarEntitlementState(own, this.names, this.now, this.stale);
  }

  /** When this state was fetched from Polar. */
  get fetchedAt(): Date {
    return new Date(this.snapshot.fetched_at);
  }

  /**
   * Has an active subscription (to one of `plans` when given); trialing counts unless
   * `allowTrial: false`, past due only with `allowPastDue: true`. A subscription canceled at period
   * end counts until it ends (the grace period).
   */
  subscribed(plans?: PolarPlanOrProduct, options: { allowTrial?: boolean; allowPastDue?: boolean } = {}): boolean {
    return (
      entitlingSubscriptions(this.snapshot, { ...options, products: productsOf(this.names, plans) }, this.now).length >
      0
    );
  }

  /** Is on a trial (of one of `plans`). */
  onTrial(plans?: PolarPlanOrProduct): boolean {
    return onTrial(this.snapshot, productsOf(this.names, plans), this.now);
  }

  /** Canceled at period end, the period not over: still entitled until `ends_at`. */
  onGracePeriod(plans?: PolarPlanOrProduct): boolean {
    return onGracePeriod(this.snapshot, productsOf(this.names, plans), this.now);
  }

  /** A renewal payment failed and Polar is retrying it. */
  pastDue(plans?: PolarPlanOrProduct): boolean {
    return pastDue(this.snapshot, productsOf(this.names, plans), this.now);
  }

  /** Holds the benefit (a Polar benefit id, or a name of `entitlements.benefits`). */
  hasBenefit(benefit: string): boolean {
    return hasBenefitId(this.snapshot, this.benefitId(benefit));
  }

  /** The meter's balance (credited − consumed units), or 0 when the customer has none on it. */
  meterBalance(meter: string): number {
    return meterBalanceOf(this.snapshot, this.meterId(meter)) ?? 0;
  }

  /** @internal the benefit id of an id or configured name. */
  benefitId(benefit: string): string {
    return idOf(this.names.config.benefits, benefit, 'benefit', 'entitlements.benefits');
  }

  /** @internal the meter id of an id or configured name. */
  meterId(meter: string): string {
    return idOf(this.names.config.meters, meter, 'meter', 'entitlements.meters');
  }

  /** @internal the snapshot the guard checks. */
  get raw(): PolarCustomerStateSnapshot {
    return this.snapshot;
  }
}
