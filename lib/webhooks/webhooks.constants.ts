/** Metadata key under which `@OnPolarEvent()` stores the event types of a method. */
export const POLAR_WEBHOOK_HANDLER_METADATA = 'polar:webhook-handler';
/** Metadata key set (to `true`) on the webhook route's class and handler; app guards can honour it. */
export const POLAR_WEBHOOK_ROUTE_METADATA = 'polar:webhook-route';

/** How long a handled `webhook-id` is remembered (72 h), so late retries of Polar are still recognised. */
export const DEFAULT_WEBHOOK_DEDUPE_TTL_MS = 72 * 60 * 60 * 1000;
/** How many handled ids the in-memory store keeps at most (oldest forgotten first). */
export const DEFAULT_WEBHOOK_DEDUPE_MAX_ENTRIES = 10_000;
/** How long a claim holds when its holder never finishes (a crash), so a retry can run. */
export const DEFAULT_WEBHOOK_CLAIM_TTL_MS = 60_000;
/** Key prefix of the cache-manager store. */
export const DEFAULT_WEBHOOK_CACHE_KEY_PREFIX = 'polar:webhook:';
