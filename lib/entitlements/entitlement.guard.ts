import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { PolarCustomerIdentityService } from '../customer-identity/customer-identity.service.js';
import { describeThrown } from '../errors/describe-thrown.js';
import type { PolarEntitlementsConfig } from '../interfaces/polar-entitlements-options.interface.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import { POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import { prefersJson } from '../common/prefers-json.js';
import { entitlingSubscriptions, type PolarSubscriptionQuery, subscriptionRefusal } from './customer-state.snapshot.js';
import { PolarCustomerStateService, type PolarStateReadPolicy } from './customer-state.service.js';
import { type PolarEntitlementState, productsOf } from './entitlement-state.js';
import { POLAR_ENTITLEMENTS_METADATA, type PolarEntitlementRequirement } from './entitlements.requirements.js';
import {
  PolarEntitlementMisconfiguredException,
  PolarEntitlementRedirectException,
  PolarPaymentRequiredException,
} from './entitlements.exceptions.js';
import { ENTITLEMENT_MESSAGES, type PolarEntitlementRefusalCode } from './entitlements.messages.js';

/** The requirements of one handler, with what the check needs precomputed once. */
interface Compiled {
  requirements: Array<{ requirement: PolarEntitlementRequirement; query: PolarSubscriptionQuery | undefined }>;
  policy: PolarStateReadPolicy;
}

/** A failed requirement: why, and the plan to offer. */
interface Refusal {
  code: PolarEntitlementRefusalCode;
  plan: string | null;
}

/**
 * The one guard of `@RequiresSubscription()`, `@RequiresBenefit()` and `@RequiresMeterBalance()`:
 * the customer comes from the module's resolver (401 when nobody is signed in), the state from the
 * cache (no call to Polar while it is fresh); every requirement on the class and the handler must
 * hold, else 402 with `code`, `checkout_url` and `portal_url` (or 303 to `entitlements.redirectTo`
 * for browsers). When the state cannot be read, the policy decides: a stale copy or 503.
 */
@Injectable()
export class PolarEntitlementGuard implements CanActivate {
  private readonly logger = new Logger('PolarEntitlements');
  private readonly config: PolarEntitlementsConfig;
  private readonly compiled = new WeakMap<object, Compiled>();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PolarCustomerIdentityService) private readonly identity: PolarCustomerIdentityService,
    @Inject(PolarCustomerStateService) private readonly states: PolarCustomerStateService,
    @Inject(POLAR_RESOLVED_OPTIONS) private readonly options: PolarResolvedOptions,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {
    this.config = options.entitlements;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { requirements, policy } = this.requirementsOf(context);
    if (requirements.length === 0) return true;
    const customer = await this.identity.authorize(context, []);
    const state = await this.states.get(customer, policy);
    // A member of a team is checked on what they hold (their seat's grants), not on the whole team's state.
    const own = state.forMember(customer);
    for (const { requirement, query } of requirements) {
      const refusal = this.check(requirement, query, own);
      if (refusal === null) continue;
      // The team has it, this member does not: they need a seat, not a purchase.
      const team = own !== state && this.check(requirement, query, state) === null;
      this.refuse(context, team ? { code: 'seat_required', plan: null } : refusal);
    }
    return true;
  }

  private requirementsOf(context: ExecutionContext): Compiled {
    const handler = context.getHandler();
    let compiled = this.compiled.get(handler);
    if (compiled === undefined) {
      const requirements = [context.getClass(), handler].flatMap(
        (target) =>
          this.reflector.get<PolarEntitlementRequirement[] | undefined>(POLAR_ENTITLEMENTS_METADATA, target) ?? [],
      );
      const stale = requirements.map((r) => r.maxStaleMs).filter((ms): ms is number => ms !== undefined);
      compiled = {
        requirements: requirements.map((requirement) => ({ requirement, query: this.queryOf(requirement) })),
        policy: {
          ...(requirements.some((r) => r.onPolarDown === 'deny')
            ? { onPolarDown: 'deny' as const }
            : requirements.some((r) => r.onPolarDown === 'serve-stale')
              ? { onPolarDown: 'serve-stale' as const }
              : {}),
          ...(stale.length > 0 ? { maxStaleMs: Math.min(...stale) } : {}),
        },
      };
      this.compiled.set(handler, compiled);
    }
    return compiled;
  }

  /** A subscription requirement's products, resolved once; undefined when a plan is unknown (then `check` says so). */
  private queryOf(requirement: PolarEntitlementRequirement): PolarSubscriptionQuery | undefined {
    if (requirement.kind !== 'subscription') return undefined;
    try {
      const fromPlans = productsOf({ plans: this.options.plans, config: this.config }, requirement.plans);
      const products =
        fromPlans === undefined && requirement.products === undefined
          ? undefined
          : [...(fromPlans ?? []), ...(requirement.products ?? []).map((id) => id.toLowerCase())];
      return { products, allowTrial: requirement.allowTrial, allowPastDue: requirement.allowPastDue };
    } catch {
      return undefined;
    }
  }

  /** The refusal of one requirement, or null when it holds. A name the options lack is a 500 saying so. */
  private check(
    requirement: PolarEntitlementRequirement,
    compiledQuery: PolarSubscriptionQuery | undefined,
    state: PolarEntitlementState,
  ): Refusal | null {
    try {
      switch (requirement.kind) {
        case 'subscription': {
          // Unknown plan: resolving again throws the configuration error, logged below.
          const query = compiledQuery ?? {
            products: productsOf({ plans: this.options.plans, config: this.config }, requirement.plans),
          };
          const now = Date.now();
          if (entitlingSubscriptions(state.raw, query, now).length > 0) return null;
          return { code: subscriptionRefusal(state.raw, query, now), plan: requirement.plans?.[0] ?? null };
        }
        case 'benefit':
          return state.hasBenefit(requirement.benefit)
            ? null
            : { code: 'benefit_required', plan: requirement.plan ?? null };
        case 'meter':
          return state.meterBalance(requirement.meter) >= (requirement.atLeast ?? 1)
            ? null
            : { code: 'meter_balance_insufficient', plan: requirement.plan ?? null };
      }
    } catch (error) {
      this.logger.error(ENTITLEMENT_MESSAGES.misconfigured, describeThrown(error));
      throw new PolarEntitlementMisconfiguredException(error);
    }
  }

  private refuse(context: ExecutionContext, refusal: Refusal): never {
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers: Record<string, unknown> }>();
    const response: unknown = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;
    // The answer depends on who asks and how: no shared cache may keep it.
    adapter.setHeader(response, 'Cache-Control', 'private, no-store');
    if (this.config.redirectTo !== undefined) {
      adapter.setHeader(response, 'Vary', 'Accept');
      if (!prefersJson(request.headers['accept'])) {
        const location = withQuery(this.config.redirectTo, refusal);
        adapter.setHeader(response, 'Location', location);
        throw new PolarEntitlementRedirectException(location, refusal.code);
      }
    }
    const portal = this.options.portal;
    throw new PolarPaymentRequiredException({
      statusCode: 402,
      error: 'Payment Required',
      code: refusal.code,
      message: ENTITLEMENT_MESSAGES.refused[refusal.code],
      plan: refusal.plan,
      checkout_url: refusal.plan === null ? null : `/${this.config.checkoutPath}/${encodeURIComponent(refusal.plan)}`,
      portal_url: portal ? `/${portal.path}` : null,
    });
  }
}

/** The redirect page with `code` (and `plan`) in its query, keeping the query it has. */
function withQuery(target: string, refusal: Refusal): string {
  const query = new URLSearchParams({ code: refusal.code, ...(refusal.plan ? { plan: refusal.plan } : {}) });
  return `${target}${target.includes('?') ? '&' : '?'}${query.toString()}`;
}
