import type { PolarCustomerIdentity } from './polar-customer-resolver.interface.js';

/**
 * Injection token of the customer-state cache's refresh hook, provided by the entitlements
 * capability. Routes that know a customer's billing state just changed (the checkout success
 * route) ask for a refetch through it, so nothing outside the entitlements folder knows the cache.
 */
export const POLAR_CUSTOMER_STATE_REFRESH = Symbol('nestjs-polar:customer-state-refresh');

/** Refetches one customer's state from Polar (under the module's deadlines); never throws. */
export interface PolarCustomerStateRefresh {
  refresh(customer: Pick<PolarCustomerIdentity, 'customer_id' | 'external_customer_id'>): Promise<void>;
}
