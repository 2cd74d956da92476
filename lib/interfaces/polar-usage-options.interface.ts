/** Who used something: exactly one of Polar's customer id or the app's own id for the customer. */
export type PolarUsageCustomer =
  | { customer_id: string; external_customer_id?: never }
  | {
      external_customer_id: string;
      customer_id?: never;
    };

/** Metadata of a usage event, as Polar takes it: ≤ 50 keys of 1–40 chars; strings 1–500 chars, numbers, booleans. */
export type PolarUsageMetadata = Record<string, string | number | boolean>;

/** What `PolarUsageRecorder.record()` takes. */
export interface PolarUsageInput {
  /** The event name your Polar meters filter on (1–128 characters), e.g. `api_call`. */
  name: string;
  /** Who is billed. */
  customer: PolarUsageCustomer;
  /** What a meter sums or filters on, e.g. `{ tokens: 812 }`. @default {} */
  metadata?: PolarUsageMetadata;
}

/** One event as it is buffered and sent to `events.ingest` (Polar's field names). */
export interface PolarUsageEvent {
  /** Generated at `record()`: Polar stores each `external_id` once, so a resent event never counts twice. */
  external_id: string;
  name: string;
  customer_id?: string;
  external_customer_id?: string;
  metadata: PolarUsageMetadata;
  /** When `record()` was called (ISO 8601, UTC). */
  timestamp: string;
}

/** One event Polar refused (a 422 for that event alone), as handed to `usage.onRejected` and logged. */
export interface PolarUsageRejection {
  /** The event, metadata included (it is your data: it is not logged). */
  event: PolarUsageEvent;
  /** Polar's validation errors for this event: where (`loc`, inside the event) and why (`msg`, `type`). */
  errors: Array<{ loc: Array<string | number>; msg: string; type: string }>;
}

/** Counters of the recorder since start (`PolarUsageRecorder.stats()`). */
export interface PolarUsageStats {
  /** `record()` calls accepted into the buffer. */
  recorded: number;
  /** Events Polar confirmed (`inserted` + `duplicates` of every successful ingest). */
  delivered: number;
  /** Of those, events Polar already had (a resent batch or a recovered durable event). */
  duplicates: number;
  /** Events Polar refused (422 for that event; see `onRejected`). */
  rejected: number;
  /** `record()` calls refused because the buffer was full (`maxBufferedEvents`). */
  dropped: number;
  /** Events recovered from the durable buffer at start (written by an earlier process). */
  recovered: number;
  /** `events.ingest` calls made, failed ones included. */
  ingestCalls: number;
  /** Of those, the failed ones that were retried (429, 5xx, network, timeout). */
  retries: number;
  /** Events still waiting (in this process) to be delivered. */
  pending: number;
  /** `@TrackUsage` requests that succeeded but whose customer the resolver could not tell (not recorded; logged). */
  unattributed: number;
  /** Events still undelivered when shutdown's deadline passed (kept in the durable buffer when there is one). */
  unflushedAtShutdown: number;
}

/**
 * A durable buffer shared by every instance: events are written here before they are sent and
 * removed once Polar confirmed them, so a crash loses nothing already written. Implement it for
 * your own storage; `'cache-manager'` gives one on the Redis of the README's setup.
 */
export interface PolarUsageBufferStore {
  /** Writes events (keyed by `external_id`; writing one twice keeps one). */
  append(events: PolarUsageEvent[]): Promise<void>;
  /** Removes events Polar confirmed (or refused for good), by `external_id`. */
  remove(externalIds: string[]): Promise<void>;
  /** Every event still written, from any process (read once at start). */
  load(): Promise<PolarUsageEvent[]>;
}

/** The `usage` module option: how `PolarUsageRecorder` buffers, batches and sends usage events. */
export interface PolarUsageOptions {
  /**
   * Events per `events.ingest` call. A batch leaves as soon as it is full.
   * @default 1000
   */
  maxBatchSize?: number;
  /**
   * Longest time an event waits in the buffer for its batch to fill, in milliseconds.
   * @default 1000
   */
  flushIntervalMs?: number;
  /**
   * Events held in this process at most (waiting, or being sent). When full, `record()` refuses the
   * new event (returns `false`), counts it in `stats().dropped` and logs a warning (once per 10 s).
   * @default 100000
   */
  maxBufferedEvents?: number;
  /**
   * First wait before resending a batch after a 429, 5xx, network failure or timeout; doubles on
   * each failure (with jitter), up to `retryMaxDelayMs`. A 429's `retry-after` is honoured.
   * @default 250
   */
  retryInitialDelayMs?: number;
  /** Longest wait between two attempts of a batch, in milliseconds. @default 30000 */
  retryMaxDelayMs?: number;
  /**
   * Time `onApplicationShutdown` spends sending what is buffered, in milliseconds. What is left
   * after it is logged and counted (`stats().unflushedAtShutdown`); with a durable buffer it is
   * sent by the next process.
   * @default 5000
   */
  shutdownTimeoutMs?: number;
  /**
   * The durable buffer: `'memory'` (none: a crash loses what is buffered), `'cache-manager'` (the
   * Redis behind the app's `CacheModule`, the README's setup), or your `PolarUsageBufferStore`.
   * @default 'memory'
   */
  buffer?: 'memory' | 'cache-manager' | PolarUsageBufferStore;
  /**
   * Called once per event Polar refused (after the batch was split so the others went through).
   * A throw here is logged and ignored. The recorder also logs a warning without the metadata.
   * @default undefined (the warning only)
   */
  onRejected?: (rejection: PolarUsageRejection) => void;
}

/** `usage` with every default applied (`PolarResolvedOptions.usage`). */
export interface PolarUsageConfig {
  maxBatchSize: number;
  flushIntervalMs: number;
  maxBufferedEvents: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  shutdownTimeoutMs: number;
  buffer: 'memory' | 'cache-manager' | PolarUsageBufferStore;
  onRejected: ((rejection: PolarUsageRejection) => void) | undefined;
}
