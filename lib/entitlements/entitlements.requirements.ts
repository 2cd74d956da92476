import type { PolarDownPolicy } from '../interfaces/polar-entitlements-options.interface.js';

/** Metadata key of the requirements on a controller class or handler. */
export const POLAR_ENTITLEMENTS_METADATA = 'nestjs-polar:entitlements';

/** How one guard behaves when Polar fails; the module's `entitlements` options otherwise. */
export interface PolarEntitlementPolicyOptions {
  /** Overrides `entitlements.onPolarDown` for this requirement. */
  onPolarDown?: PolarDownPolicy;
  /** Overrides `entitlements.maxStaleMs` for this requirement (only ever lower). */
  maxStaleMs?: number;
}

/** Options of `@RequiresSubscription()`. */
export interface RequiresSubscriptionOptions extends PolarEntitlementPolicyOptions {
  /** Plan names of the module's `plans` option; any subscription counts when omitted. */
  plans?: string[];
  /** Polar product ids, beside (or instead of) `plans`. */
  products?: string[];
  /** A trialing subscription entitles. @default true */
  allowTrial?: boolean;
  /** A past-due subscription (renewal payment failed, Polar retrying) entitles. @default false */
  allowPastDue?: boolean;
}

/** Options of `@RequiresBenefit()` given as an object. */
export interface RequiresBenefitOptions extends PolarEntitlementPolicyOptions {
  /** A Polar benefit id, or a name of `entitlements.benefits`. */
  benefit: string;
  /** The plan that grants it, for the 402's `checkout_url`. */
  plan?: string;
}

/** Options of `@RequiresMeterBalance()`. */
export interface RequiresMeterBalanceOptions extends PolarEntitlementPolicyOptions {
  /** A Polar meter id, or a name of `entitlements.meters`. */
  meter: string;
  /** Lowest balance (credited − consumed units) that entitles. @default 1 */
  atLeast?: number;
  /** The plan that credits it, for the 402's `checkout_url`. */
  plan?: string;
}

/** One requirement as the guard reads it. */
export type PolarEntitlementRequirement =
  | ({ kind: 'subscription' } & RequiresSubscriptionOptions)
  | ({ kind: 'benefit' } & RequiresBenefitOptions)
  | ({ kind: 'meter' } & RequiresMeterBalanceOptions);
