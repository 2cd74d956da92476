import { Inject, Injectable } from '@nestjs/common';
import { PolarCustomerStateService } from 'nestjs-polar';

/**
 * Whether a user has a plan, for the home page's "Pro report" line: read from the module's cached
 * customer state (the same cache the `/pro` page's guard reads; no Polar call while it is fresh).
 */
@Injectable()
export class PlanAccess {
  constructor(@Inject(PolarCustomerStateService) private readonly state: PolarCustomerStateService) {}

  async has(userId: string, planName: string): Promise<boolean> {
    try {
      return (await this.state.get({ external_customer_id: userId })).subscribed(planName);
    } catch {
      // Polar unreachable and no state known yet: nothing is unlocked.
      return false;
    }
  }
}
