import type { PolarCacheLike } from './polar-cache.interface.js';

/**
 * Where reused portal sessions are kept: the structural slice of a cache-manager 7 `Cache` (what
 * `@nestjs/cache-manager` injects), so such a cache can be passed as it is. TTLs are in ms. The
 * values hold portal URLs, which carry session tokens: keep the store as private as a session store.
 */
export interface PolarSessionReuseStore extends PolarCacheLike {
  /** Optional batch read (one round trip on Redis); `get` per key otherwise. */
  mget?<T>(keys: string[]): Promise<Array<T | undefined | null>>;
}

/** Options of portal-session reuse (`portal.sessionReuse`). */
export interface PolarSessionReuseOptions {
  /**
   * A session is handed out again only while it has more than this many seconds left, so a
   * customer's visit to the portal does not outlive it (Polar sessions last one hour).
   * @default 900 (15 minutes)
   */
  safetyMarginSeconds?: number;
  /**
   * `'memory'` (this process only), `'cache-manager'` (the app's `CACHE_MANAGER` from
   * `@nestjs/cache-manager`; shared by instances when its store is, e.g. Redis), or a store object.
   * @default 'memory'
   */
  store?: 'memory' | 'cache-manager' | PolarSessionReuseStore;
  /** Most keys the `'memory'` store keeps (oldest dropped first). @default 10000 */
  maxEntries?: number;
  /**
   * Most new sessions one customer (and member) may cost per reuse window (`3600 −
   * safetyMarginSeconds` seconds), whatever `return_url` values it asks for: a session is bound to
   * one return URL at Polar, so each new one is a call. Past it, the customer's latest live session
   * is handed out (its back link is an earlier return URL that passed the policy).
   * @default 3
   */
  maxSessionsPerCustomer?: number;
}

/** Session reuse with every default applied, or `false` when it is off. */
export type PolarSessionReuseConfig =
  | false
  | {
      safetyMarginMs: number;
      store: 'memory' | 'cache-manager' | PolarSessionReuseStore;
      maxEntries: number;
      maxSessionsPerCustomer: number;
    };
