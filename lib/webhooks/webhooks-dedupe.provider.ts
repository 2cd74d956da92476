import { polarStoreProvider } from '../common/store-option.js';
import type { PolarWebhookDedupeStore } from '../interfaces/polar-webhook-dedupe-store.interface.js';
import { POLAR_WEBHOOK_DEDUPE_STORE } from '../polar.constants.js';
import { PolarCacheManagerDedupeStore } from './cache-manager-dedupe.store.js';
import { PolarMemoryDedupeStore } from './memory-dedupe.store.js';

/** The webhook dedupe store, chosen by `webhooks.dedupe.store` (`null` when dedupe is off). */
export const webhooksDedupeStoreProvider = polarStoreProvider<PolarWebhookDedupeStore>({
  token: POLAR_WEBHOOK_DEDUPE_STORE,
  select: ({ webhooks }) =>
    webhooks && webhooks.dedupe ? { option: 'webhooks.dedupe.store', store: webhooks.dedupe.store } : false,
  memory: ({ webhooks }) =>
    new PolarMemoryDedupeStore({ maxEntries: webhooks && webhooks.dedupe ? webhooks.dedupe.maxEntries : undefined }),
  // A delivery whose handlers ran is recorded even when the store is being skipped: sent for the
  // Redis client to deliver when it can (as a call that timed out is), so it is not run twice.
  sendWhileSkipped: (method) => method === 'markHandled',
  // Atomic claims come with the README's Redis setup by themselves (read when a claim is made:
  // the cache is found at module init, after this factory ran).
  overCache: (cache) =>
    new PolarCacheManagerDedupeStore(cache, {
      get claims() {
        return cache.atomicClaims;
      },
    }),
});
