import type { PolarAtomicClaims } from '../webhooks/cache-manager-dedupe.store.js';

/** A node-redis client as far as a claim needs it (`sendCommand` exists in node-redis 4 and 5). */
interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** The parts of `@keyv/redis`'s `KeyvRedis` adapter used here (read structurally: it stays optional). */
interface KeyvRedisLike {
  getClient(): Promise<unknown>;
  client: unknown;
  namespace?: string;
  createKeyPrefix?(key: string, namespace?: string): string;
  isClientCluster?(client: unknown): boolean;
  isClientSentinel?(client: unknown): boolean;
}

function isKeyvRedis(adapter: unknown): adapter is KeyvRedisLike {
  const candidate = adapter as Partial<KeyvRedisLike> | null | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.getClient === 'function' &&
    typeof (candidate.client as Partial<RedisCommandClient> | undefined)?.sendCommand === 'function'
  );
}

const REDIS_CLOSED = "The Redis client of the app's cache was closed (the app is shutting down)";

/** Commands on the Redis behind the app's cache: `send` runs one, `keyOf` names a key as Keyv does. */
export interface PolarRedisCommands {
  send(args: string[]): Promise<unknown>;
  /** `key` with the adapter's namespace prefix, like every key Keyv writes. */
  keyOf(key: string): string;
}

/**
 * The Redis behind the app's cache-manager cache, when that cache is the README's setup:
 * `CacheModule.register({ stores: [createKeyv(url)] })` (a cache-manager 7 cache whose Keyv store
 * is a standalone `@keyv/redis` adapter). Undefined for any other cache (memory, a Redis cluster
 * or sentinel, another backend).
 */
export function redisCommandsOf(cache: unknown): PolarRedisCommands | undefined {
  const stores = (cache as { stores?: unknown } | null | undefined)?.stores;
  if (!Array.isArray(stores)) return undefined;
  // The shared store is the one every instance sees: the first Redis store of the cache's tiers.
  const adapter = stores.map((keyv) => (keyv as { store?: unknown } | null | undefined)?.store).find(isKeyvRedis);
  if (adapter === undefined) return undefined;
  if (adapter.isClientCluster?.(adapter.client) || adapter.isClientSentinel?.(adapter.client)) return undefined;
  let opened = false;
  return {
    send: async (args) => {
      // getClient connects on first use, as the adapter's own calls do; but once the app closed the
      // client (CacheModule disconnects its stores at shutdown), a late call must not reopen a
      // connection that nothing would close again, keeping the process alive.
      const isOpen = (adapter.client as { isOpen?: unknown }).isOpen;
      if (isOpen === true) opened = true;
      else if (opened && isOpen === false) throw new Error(REDIS_CLOSED);
      const client = (await adapter.getClient()) as RedisCommandClient;
      opened = true;
      return client.sendCommand(args);
    },
    keyOf: (key) => adapter.createKeyPrefix?.(key, adapter.namespace) ?? key,
  };
}

/**
 * Atomic claims (`SET key 1 NX PX ttl`, `DEL key`) on the Redis of `redisCommandsOf(cache)`;
 * undefined for any other cache: claims are then read-then-write through the cache.
 */
export function redisClaimsOf(cache: unknown): PolarAtomicClaims | undefined {
  const redis = redisCommandsOf(cache);
  if (redis === undefined) return undefined;
  return {
    setIfAbsent: async (key, ttlMs) =>
      (await redis.send(['SET', redis.keyOf(key), '1', 'NX', 'PX', String(Math.ceil(ttlMs))])) === 'OK',
    delete: async (key) => {
      await redis.send(['DEL', redis.keyOf(key)]);
    },
  };
}
