/** Injection token of the official SDK client (see `@InjectPolar()`). */
export const POLAR_CLIENT = Symbol('POLAR_CLIENT');
/** Injection token of the options with every default applied (`PolarResolvedOptions`). */
export const POLAR_RESOLVED_OPTIONS = Symbol('POLAR_RESOLVED_OPTIONS');
/** Injection token of the app's cache-manager cache, as the `'cache-manager'` stores use it. */
export const POLAR_APP_CACHE = Symbol('POLAR_APP_CACHE');
/** Injection token of the webhook dedupe store (`PolarWebhookDedupeStore`, or `null` when dedupe is off). */
export const POLAR_WEBHOOK_DEDUPE_STORE = Symbol('POLAR_WEBHOOK_DEDUPE_STORE');
/** Injection token of the portal-session reuse store (`PolarSessionReuseStore`, or `null` when reuse is off). */
export const POLAR_SESSION_REUSE_STORE = Symbol('POLAR_SESSION_REUSE_STORE');
/** Injection token of the customer-state store shared by instances (`null` for the in-process cache). */
export const POLAR_CUSTOMER_STATE_STORE = Symbol('POLAR_CUSTOMER_STATE_STORE');
/** Injection token of the route shape (portal/webhooks paths) fixed when the module is defined. */
export const POLAR_ROUTE_SHAPE = Symbol('POLAR_ROUTE_SHAPE');

/** Default request timeout towards Polar, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default number of retries of a read (GET) on 429, 5xx or a network failure. */
export const DEFAULT_READ_RETRIES = 2;
/** Default `storeTimeoutMs`: a store round trip is milliseconds; Polar gives a webhook 10 s in all. */
export const DEFAULT_STORE_TIMEOUT_MS = 1500;
/** Default `customerTimeoutMs`: the app's resolver and guards usually answer in well under a second. */
export const DEFAULT_CUSTOMER_TIMEOUT_MS = 5000;
/** Default path of the customer-portal route. */
export const DEFAULT_PORTAL_PATH = 'billing/portal';
/** Default path of the checkout routes (`<path>/:plan`, `<path>/success`). */
export const DEFAULT_CHECKOUT_PATH = 'billing/checkout';
/** Default path of the webhook route. */
export const DEFAULT_WEBHOOKS_PATH = 'billing/webhooks';

/** API base URLs the SDK uses per environment (mirrors `@polar-sh/sdk/2026-10`). */
export const POLAR_API_URLS = {
  production: 'https://api.polar.sh',
  sandbox: 'https://sandbox-api.polar.sh',
} as const;

/**
 * Longest `retry-after` a read waits for before retrying. Polar's 429 usually asks for the whole
 * window (60 s); holding the caller's request that long is worse than answering 503 + Retry-After.
 */
export const MAX_RETRY_WAIT_MS = 3_000;
/** First back-off step of a read retry without `retry-after` (doubles each attempt). */
export const RETRY_BACKOFF_MS = 100;
