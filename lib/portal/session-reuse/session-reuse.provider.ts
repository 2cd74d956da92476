import { polarStoreProvider } from '../../common/store-option.js';
import type { PolarSessionReuseStore } from '../../interfaces/polar-session-reuse-options.interface.js';
import { POLAR_SESSION_REUSE_STORE } from '../../polar.constants.js';
import { PolarMemorySessionStore } from './memory-session.store.js';

/** The portal-session store, chosen by `portal.sessionReuse.store` (`null` when reuse is off). */
export const sessionReuseStoreProvider = polarStoreProvider<PolarSessionReuseStore>({
  token: POLAR_SESSION_REUSE_STORE,
  select: ({ portal }) =>
    portal && portal.sessionReuse ? { option: 'portal.sessionReuse.store', store: portal.sessionReuse.store } : false,
  memory: ({ portal }) =>
    new PolarMemorySessionStore(portal && portal.sessionReuse ? portal.sessionReuse.maxEntries : 1),
  // The app's cache as it is: a cache-manager Cache is a session store already.
  overCache: (cache) => cache,
});
