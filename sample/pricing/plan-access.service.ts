import { Inject, Injectable } from '@nestjs/common';
import { CustomersService, InjectPolarOptions, type PolarResolvedOptions } from 'nestjs-polar';

/**
 * Whether a user has a plan, for the home page's "Pro report" line: an active (or trialing)
 * subscription to one of its products, read from Polar on each visit (the sample wires no webhook
 * route, so the cached state behind the /pro guard is refreshed by the checkout success route only).
 */
@Injectable()
export class PlanAccess {
  constructor(
    @InjectPolarOptions() private readonly options: PolarResolvedOptions,
    @Inject(CustomersService) private readonly customers: CustomersService,
  ) {}

  async has(userId: string, planName: string): Promise<boolean> {
    const plan = this.options.plans[planName];
    if (!plan) return false;
    try {
      const state = await this.customers.getStateByExternalId(userId);
      return state.active_subscriptions.some((subscription) => plan.products.includes(subscription.product_id));
    } catch {
      // No customer yet (or Polar unreachable): nothing is unlocked.
      return false;
    }
  }
}
