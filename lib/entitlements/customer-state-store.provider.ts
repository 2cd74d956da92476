import { polarStoreProvider } from '../common/store-option.js';
import type { PolarCustomerStateStore } from '../interfaces/polar-entitlements-options.interface.js';
import { POLAR_CUSTOMER_STATE_STORE } from '../polar.constants.js';

/**
 * The store customer states are shared through, chosen by `entitlements.store`: `null` for
 * `'memory'`, where the service's own in-process map is the whole cache.
 */
export const customerStateStoreProvider = polarStoreProvider<PolarCustomerStateStore | null>({
  token: POLAR_CUSTOMER_STATE_STORE,
  select: ({ entitlements }) =>
    entitlements.store === 'memory' ? false : { option: 'entitlements.store', store: entitlements.store },
  memory: () => null,
  // The app's cache as it is: a cache-manager Cache is a state store already.
  overCache: (cache) => cache,
});
