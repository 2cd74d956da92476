import type { PolarCacheLike } from './polar-cache.interface.js';

/** What a guard does when the customer's state must be fetched and Polar cannot answer. */
export type PolarDownPolicy = 'serve-stale' | 'deny';

/**
 * Where customer states are kept for other instances: the structural slice of a cache-manager 7
 * `Cache`. TTLs are in ms. Values hold what the customer bought (no token, no URL).
 */
export type PolarCustomerStateStore = PolarCacheLike;

/** Options of the entitlement cache and guards (`entitlements`). */
export interface PolarEntitlementsOptions {
  /**
   * `'memory'` (this process only), `'cache-manager'` (the app's `CACHE_MANAGER`; shared by
   * instances when its store is, e.g. Redis), or a store object with get, set and del.
   * @default 'memory'
   */
  store?: 'memory' | 'cache-manager' | PolarCustomerStateStore;
  /**
   * How long a fetched state is fresh, in ms: served with no call to Polar.
   * @default 60000
   */
  ttlMs?: number;
  /**
   * After `ttlMs`, for this long more the state is still served at once while one refresh per
   * customer runs in the background (stale-while-revalidate), in ms. Past it a request waits for
   * the refresh.
   * @default 240000
   */
  staleWhileRevalidateMs?: number;
  /**
   * When a state must be fetched and Polar fails (down, timeout, 5xx, 429): `'serve-stale'` serves
   * the last known state if it was fetched at most `maxStaleMs` ago, else 503; `'deny'` answers
   * 503. Never "allow". Each decorator may override it.
   * @default 'serve-stale'
   */
  onPolarDown?: PolarDownPolicy;
  /**
   * Oldest last known state `'serve-stale'` serves while Polar fails, in ms.
   * @default 3600000 (1 hour)
   */
  maxStaleMs?: number;
  /**
   * With a shared store: how long this instance trusts its own copy before reading the store again,
   * in ms. A change another instance fetched (after a webhook) is seen here within this bound.
   * @default 500
   */
  syncMs?: number;
  /** Most customers kept in this process (oldest used dropped first). @default 10000 */
  maxEntries?: number;
  /**
   * Benefit ids by a name of the app's (`{ 'api-access': '<benefit uuid>' }`), for
   * `@RequiresBenefit('api-access')` and `hasBenefit('api-access')`.
   * @default {}
   */
  benefits?: Record<string, string>;
  /** Meter ids by a name of the app's, for `@RequiresMeterBalance({ meter: 'credits' })`. @default {} */
  meters?: Record<string, string>;
  /**
   * Path of the checkout route a 402 points at: `checkout_url` is `/<checkoutPath>/<plan>`.
   * @default 'billing/checkout'
   */
  checkoutPath?: string;
  /**
   * A page (path or absolute URL) browsers are sent to with 303 when not entitled, with `code`
   * and `plan` in its query. Requests preferring JSON (and every request when this is unset) get
   * the 402 JSON answer.
   * @default undefined (402 JSON for everyone)
   */
  redirectTo?: string;
}

/** The entitlement options with every default applied. */
export interface PolarEntitlementsConfig {
  store: 'memory' | 'cache-manager' | PolarCustomerStateStore;
  ttlMs: number;
  staleWhileRevalidateMs: number;
  onPolarDown: PolarDownPolicy;
  maxStaleMs: number;
  syncMs: number;
  maxEntries: number;
  benefits: Readonly<Record<string, string>>;
  meters: Readonly<Record<string, string>>;
  checkoutPath: string;
  redirectTo: string | undefined;
}
