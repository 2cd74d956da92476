import { polarStoreProvider } from '../../common/store-option.js';
import type { PolarSessionReuseStore } from '../../interfaces/polar-session-reuse-options.interface.js';
import { POLAR_SESSION_REUSE_STORE } from '../../polar.constants.js';
import { PolarMemorySessionStore } from './memory-session.store.js';
import { isTombstoneKey } from './session-reuse.service.js';

/** The portal-session store, chosen by `portal.sessionReuse.store` (`null` when reuse is off). */
export const sessionReuseStoreProvider = polarStoreProvider<PolarSessionReuseStore>({
  token: POLAR_SESSION_REUSE_STORE,
  select: ({ portal }) =>
    portal && portal.sessionReuse ? { option: 'portal.sessionReuse.store', store: portal.sessionReuse.store } : false,
  memory: ({ portal }) =>
    new PolarMemorySessionStore(portal && portal.sessionReuse ? portal.sessionReuse.maxEntries : 1),
  // The app's cache as it is: a cache-manager Cache is a session store already.
  overCache: (cache) => cache,
  // A deletion's tombstone is still sent while the store is skipped (for the client to deliver when it
  // can), so other instances do not hand the deleted customer's sessions out once the store is back.
  sendWhileSkipped: (method, [key]) => method === 'set' && typeof key === 'string' && isTombstoneKey(key),
});
