import type { OnModuleInit, Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PolarConfigurationError, failOption } from '../errors/polar-configuration.error.js';
import type { PolarCacheLike } from '../interfaces/polar-cache.interface.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import { POLAR_APP_CACHE, POLAR_RESOLVED_OPTIONS, POLAR_STORE_BREAKERS } from '../polar.constants.js';
import { STORE_MESSAGES } from '../polar.messages.js';
import type { PolarAtomicClaims } from '../webhooks/cache-manager-dedupe.store.js';
import { findAppCacheManager } from './app-cache-manager.js';
import { type PolarRedisCommands, redisClaimsOf, redisCommandsOf } from './redis-claims.js';
import { PolarStoreBreakers, type StoreWriteFilter, storeBehindBreaker } from './store-breaker.js';

/** What every store option accepts: this process only, the app's cache-manager cache, or a store object. */
export type PolarStoreOption<S> = 'memory' | 'cache-manager' | S;

/**
 * Validates a store option (pure): `'memory'`, `'cache-manager'`, or an object with every one of
 * `methods`. Throws a `PolarConfigurationError` naming `option` otherwise.
 */
export function resolveStoreOption<S extends object>(
  value: unknown,
  option: string,
  methods: readonly (keyof S & string)[],
): PolarStoreOption<S> {
  if (value === 'memory' || value === 'cache-manager') return value;
  const candidate = value as Record<string, unknown> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    !methods.every((method) => typeof candidate[method] === 'function')
  ) {
    return failOption(option, STORE_MESSAGES.badStoreRule(methods));
  }
  return value as S;
}

/** A cache-manager 7 `Cache` as far as the stores use it (`mget` is a batch read). */
type CacheWithBatch = PolarCacheLike & { mget?<T>(keys: string[]): Promise<Array<T | undefined | null>> };

/**
 * The app's cache-manager cache (`CACHE_MANAGER` of `@nestjs/cache-manager`), found at module init
 * (every provider exists by then, and that package stays an optional peer). Stores built over it
 * before init only call it once requests arrive. A store option naming `'cache-manager'` registers
 * itself with `requireFor`, so a missing CacheModule stops start-up naming that option.
 */
export class PolarAppCache implements PolarCacheLike, OnModuleInit {
  private cache: CacheWithBatch | undefined;
  private claims: PolarAtomicClaims | undefined;
  private redis: PolarRedisCommands | undefined;
  private readonly requiredBy: string[] = [];

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Marks the cache as needed by `option`; returns this cache for the store to wrap. */
  requireFor(option: string): PolarAppCache {
    this.requiredBy.push(option);
    return this;
  }

  onModuleInit(): void {
    if (this.requiredBy.length === 0) return;
    this.cache = findAppCacheManager<CacheWithBatch>(this.moduleRef);
    if (!this.cache) {
      const [option] = this.requiredBy as [string];
      throw new PolarConfigurationError(STORE_MESSAGES.noCacheManager(option), option);
    }
    this.claims = redisClaimsOf(this.cache);
    this.redis = redisCommandsOf(this.cache);
  }

  /**
   * `SET NX PX` claims on the Redis behind the cache when it is a `@keyv/redis` store (the
   * README's setup), known from module init; undefined otherwise.
   */
  get atomicClaims(): PolarAtomicClaims | undefined {
    return this.claims;
  }

  /** Commands on the Redis behind the cache (the README's setup), known from module init; undefined otherwise. */
  get redisCommands(): PolarRedisCommands | undefined {
    return this.redis;
  }

  private get found(): CacheWithBatch {
    if (!this.cache) throw new Error('The app cache is used before PolarModule was initialised');
    return this.cache;
  }

  get<T>(key: string): Promise<T | undefined | null> {
    return this.found.get<T>(key);
  }

  set<T>(key: string, value: T, ttl?: number): Promise<unknown> {
    return this.found.set(key, value, ttl);
  }

  del(key: string): Promise<unknown> {
    return this.found.del(key);
  }

  /** One round trip when the cache has `mget` (cache-manager 7 does), else one `get` per key. */
  mget<T>(keys: string[]): Promise<Array<T | undefined | null>> {
    const cache = this.found;
    return cache.mget ? cache.mget<T>(keys) : Promise.all(keys.map((key) => cache.get<T>(key)));
  }
}

/** The provider of the app cache every `'cache-manager'` store is built over. */
export const appCacheProvider: Provider = {
  provide: POLAR_APP_CACHE,
  useFactory: (moduleRef: ModuleRef) => new PolarAppCache(moduleRef),
  inject: [ModuleRef],
};

/** The breakers of the module's stores, one per backend (see `StoreBreaker`). */
export const storeBreakersProvider: Provider = {
  provide: POLAR_STORE_BREAKERS,
  useFactory: (options: PolarResolvedOptions) => new PolarStoreBreakers(options.storeBackoffMs),
  inject: [POLAR_RESOLVED_OPTIONS],
};

/** How one store of the module is chosen and built. */
export interface PolarStoreDefinition<S> {
  /** The injection token the store is provided under (`null` when its feature is off). */
  token: symbol;
  /** Where the validated store option sits, or `false` when the feature is off. */
  select(options: PolarResolvedOptions): { option: string; store: PolarStoreOption<S> } | false;
  /** The `'memory'` store. */
  memory(options: PolarResolvedOptions): S;
  /** The `'cache-manager'` store, over the app's cache. */
  overCache(
    cache: PolarCacheLike & Pick<PolarAppCache, 'mget' | 'atomicClaims' | 'redisCommands'>,
    options: PolarResolvedOptions,
  ): S;
  /** The writes still sent, not waited for, while the store is skipped (see `StoreBreakerCall.sendWhileSkipped`). */
  sendWhileSkipped?: StoreWriteFilter<S>;
}

/**
 * The one provider factory of every store (webhook dedupe, session reuse, …): the option chooses,
 * this builds. Every call into a store outside this process (`'cache-manager'` or the app's own
 * object) runs here, once, under `storeTimeoutMs` and its backend's breaker: a Redis that is down
 * or frozen answers nothing, the deadline turns that into a rejection each store's caller already
 * handles, and the breaker then skips the backend for `storeBackoffMs` so the outage is not paid
 * again by every request. The `'memory'` store lives in this process and cannot hang.
 */
export function polarStoreProvider<S>(definition: PolarStoreDefinition<S>): Provider {
  return {
    provide: definition.token,
    useFactory: (options: PolarResolvedOptions, appCache: PolarAppCache, breakers: PolarStoreBreakers): S | null => {
      const selected = definition.select(options);
      if (selected === false) return null;
      if (selected.store === 'memory') return definition.memory(options);
      const backend: object = selected.store === 'cache-manager' ? appCache : (selected.store as S & object);
      const store =
        selected.store === 'cache-manager'
          ? definition.overCache(appCache.requireFor(selected.option), options)
          : selected.store;
      return storeBehindBreaker(store as S & object, {
        option: selected.option,
        deadlineMs: options.storeTimeoutMs,
        breaker: breakers.for(backend),
        sendWhileSkipped: definition.sendWhileSkipped as StoreWriteFilter<S & object> | undefined,
      });
    },
    inject: [POLAR_RESOLVED_OPTIONS, POLAR_APP_CACHE, POLAR_STORE_BREAKERS],
  };
}
