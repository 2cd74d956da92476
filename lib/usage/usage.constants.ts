/** Defaults of the `usage` option, in one place (docs/usage.md lists them). */
export const DEFAULT_USAGE_MAX_BATCH_SIZE = 1000;
export const DEFAULT_USAGE_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_USAGE_MAX_BUFFERED_EVENTS = 100_000;
export const DEFAULT_USAGE_RETRY_INITIAL_DELAY_MS = 250;
export const DEFAULT_USAGE_RETRY_MAX_DELAY_MS = 30_000;
export const DEFAULT_USAGE_SHUTDOWN_TIMEOUT_MS = 5000;
/** The key of the Redis hash of the `'cache-manager'` durable buffer (under the Keyv namespace). */
export const USAGE_BUFFER_REDIS_KEY = 'polar:usage:pending';
/** Metadata key of `@TrackUsage()` on a handler. */
export const POLAR_TRACK_USAGE = 'polar:track-usage';
/** Longest event name Polar takes. */
export const USAGE_NAME_MAX_LENGTH = 128;
/** At most one "buffer full" warning per this many milliseconds. */
export const USAGE_DROP_WARNING_INTERVAL_MS = 10_000;
