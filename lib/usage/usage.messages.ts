/** Wording of usage recording, in one place. Nothing here ever receives a token, a secret or metadata. */
export const USAGE_MESSAGES = {
  bufferNeedsRedis:
    "PolarModule: option \"usage.buffer\" 'cache-manager' needs the app's CacheModule over a standalone Redis (@keyv/redis, the README's setup); for another store pass your own PolarUsageBufferStore.",
  dropped: (dropped: number, max: number): string =>
    `Usage buffer full (usage.maxBufferedEvents = ${max}): ${dropped} event(s) refused so far; Polar is unreachable or slower than the event rate.`,
  retrying: (what: string, events: number, waitMs: number): string =>
    `events.ingest failed (${what}); resending ${events} usage event(s) in ${Math.round(waitMs)} ms.`,
  rejected: (externalId: string, name: string, why: string): string =>
    `Polar refused usage event ${externalId} (name "${name}"): ${why}. The other events of its batch were sent.`,
  onRejectedThrew: 'usage.onRejected threw (ignored)',
  notDurable: (events: number): string =>
    `${events} usage event(s) could not be written to the durable buffer; they are sent from memory only.`,
  removeFailed: (events: number): string =>
    `${events} delivered usage event(s) could not be removed from the durable buffer; a later start resends them and Polar counts them as duplicates.`,
  recoverFailed: 'The durable usage buffer could not be read at start; retrying at the next flush.',
  recovered: (events: number): string => `Recovered ${events} usage event(s) from the durable buffer.`,
  unflushedLost: (events: number, ms: number): string =>
    `${events} usage event(s) were not delivered to Polar within usage.shutdownTimeoutMs (${ms} ms) and are lost (no durable buffer).`,
  unflushedKept: (events: number, ms: number): string =>
    `${events} usage event(s) were not delivered to Polar within usage.shutdownTimeoutMs (${ms} ms); they stay in the durable buffer for the next start.`,
  drainFailed: 'The usage send loop failed unexpectedly; the events stay queued for the next flush',
  afterShutdown: 'Usage event recorded after shutdown began: refused.',
  trackFailed: (name: string): string => `@TrackUsage('${name}'): the event was not recorded`,
} as const;
