import type { PolarRedisCommands } from '../common/redis-claims.js';
import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import type { PolarUsageBufferStore, PolarUsageEvent } from '../interfaces/polar-usage-options.interface.js';
import { USAGE_BUFFER_REDIS_KEY } from './usage.constants.js';
import { USAGE_MESSAGES } from './usage.messages.js';

/**
 * The `'cache-manager'` durable buffer: one Redis hash shared by every instance, field
 * `external_id`, value the event as JSON. `HSET` before an event is sent, `HDEL` once Polar
 * confirmed it, `HVALS` at start for what an earlier process left. Writing an event twice keeps
 * one field, so recovery is idempotent too.
 */
export class PolarRedisUsageBufferStore implements PolarUsageBufferStore {
  /** `redis` is read at each call: the app's cache is found at module init, after this store is built. */
  constructor(private readonly redis: () => PolarRedisCommands | undefined) {}

  private commands(): PolarRedisCommands {
    const redis = this.redis();
    if (redis === undefined) throw new PolarConfigurationError(USAGE_MESSAGES.bufferNeedsRedis, 'usage.buffer');
    return redis;
  }

  async append(events: PolarUsageEvent[]): Promise<void> {
    if (events.length === 0) return;
    const redis = this.commands();
    const args = ['HSET', redis.keyOf(USAGE_BUFFER_REDIS_KEY)];
    for (const event of events) args.push(event.external_id, JSON.stringify(event));
    await redis.send(args);
  }

  async remove(externalIds: string[]): Promise<void> {
    if (externalIds.length === 0) return;
    const redis = this.commands();
    await redis.send(['HDEL', redis.keyOf(USAGE_BUFFER_REDIS_KEY), ...externalIds]);
  }

  async load(): Promise<PolarUsageEvent[]> {
    const redis = this.commands();
    const values = await redis.send(['HVALS', redis.keyOf(USAGE_BUFFER_REDIS_KEY)]);
    if (!Array.isArray(values)) return [];
    return values.flatMap((value) => {
      const event = parseEvent(value);
      return event ? [event] : [];
    });
  }
}

/** A stored event, or undefined for a value that is not one (it is left alone, never sent). */
function parseEvent(value: unknown): PolarUsageEvent | undefined {
  try {
    const event = JSON.parse(String(value)) as Partial<PolarUsageEvent>;
    const ok =
      typeof event.external_id === 'string' &&
      typeof event.name === 'string' &&
      typeof event.timestamp === 'string' &&
      typeof event.metadata === 'object' &&
      (typeof event.customer_id === 'string') !== (typeof event.external_customer_id === 'string');
    return ok ? (event as PolarUsageEvent) : undefined;
  } catch {
    return undefined;
  }
}
