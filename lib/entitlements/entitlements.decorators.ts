import { UseGuards } from '@nestjs/common';
import { PolarEntitlementGuard } from './entitlement.guard.js';
import {
  POLAR_ENTITLEMENTS_METADATA,
  type PolarEntitlementRequirement,
  type RequiresBenefitOptions,
  type RequiresMeterBalanceOptions,
  type RequiresSubscriptionOptions,
} from './entitlements.requirements.js';

/**
 * Adds a requirement to the class or method, and the guard once per target. Several requirements
 * on one target, or on a class and its handler, must all hold.
 */
function requirement(entry: PolarEntitlementRequirement): ClassDecorator & MethodDecorator {
  checkRequirement(entry);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor ? (descriptor.value as object) : target;
    const existing = Reflect.getMetadata(POLAR_ENTITLEMENTS_METADATA, holder) as
      PolarEntitlementRequirement[] | undefined;
    Reflect.defineMetadata(POLAR_ENTITLEMENTS_METADATA, [...(existing ?? []), entry], holder);
    if (!existing) {
      if (descriptor) UseGuards(PolarEntitlementGuard)(target, _key as string | symbol, descriptor);
      else UseGuards(PolarEntitlementGuard)(target as () => void);
    }
    return descriptor as never;
  };
}

/** Rules a decorator's own arguments must follow, checked when the class is declared. */
function checkRequirement(entry: PolarEntitlementRequirement): void {
  const fail = (rule: string): never => {
    throw new TypeError(
      `nestjs-polar: @Requires${entry.kind === 'meter' ? 'MeterBalance' : entry.kind === 'benefit' ? 'Benefit' : 'Subscription'}(): ${rule}`,
    );
  };
  if (entry.onPolarDown !== undefined && entry.onPolarDown !== 'serve-stale' && entry.onPolarDown !== 'deny') {
    fail('onPolarDown must be "serve-stale" or "deny"');
  }
  if (entry.maxStaleMs !== undefined && !(typeof entry.maxStaleMs === 'number' && entry.maxStaleMs >= 0)) {
    fail('maxStaleMs must be a number of milliseconds, 0 or more');
  }
  if (entry.kind === 'subscription') {
    for (const list of [entry.plans, entry.products]) {
      if (
        list !== undefined &&
        (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === ''))
      ) {
        fail('plans and products must be arrays of non-empty strings');
      }
    }
  }
  if (entry.kind === 'benefit' && (typeof entry.benefit !== 'string' || entry.benefit === '')) {
    fail('benefit must be a benefit id or a name of entitlements.benefits');
  }
  if (entry.kind === 'meter') {
    if (typeof entry.meter !== 'string' || entry.meter === '')
      fail('meter must be a meter id or a name of entitlements.meters');
    if (entry.atLeast !== undefined && (typeof entry.atLeast !== 'number' || !Number.isFinite(entry.atLeast))) {
      fail('atLeast must be a finite number');
    }
  }
}

/**
 * Only customers with an active subscription (to one of `plans`) get through: 401 without a
 * signed-in user, 402 (or 303 for browsers with `entitlements.redirectTo`) when not entitled.
 * @example `@RequiresSubscription({ plans: ['pro'] })`
 */
export const RequiresSubscription = (options: RequiresSubscriptionOptions = {}): ClassDecorator & MethodDecorator =>
  requirement({ kind: 'subscription', ...options });

/**
 * Only customers granted the benefit get through (a Polar benefit id or a name of
 * `entitlements.benefits`). @example `@RequiresBenefit('api-access')`
 */
export const RequiresBenefit = (benefit: string | RequiresBenefitOptions): ClassDecorator & MethodDecorator =>
  requirement({ kind: 'benefit', ...(typeof benefit === 'string' ? { benefit } : benefit) });

/**
 * Only customers whose meter balance is at least `atLeast` (default 1) get through.
 * @example `@RequiresMeterBalance({ meter: 'credits' })`
 */
export const RequiresMeterBalance = (options: RequiresMeterBalanceOptions): ClassDecorator & MethodDecorator =>
  requirement({ kind: 'meter', ...options });
