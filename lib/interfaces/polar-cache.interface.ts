/**
 * The part of a cache-manager 7 `Cache` (what `@nestjs/cache-manager` injects) the module's shared
 * stores use, so such a cache can be passed as it is. TTLs are in milliseconds.
 */
export interface PolarCacheLike {
  get<T>(key: string): Promise<T | undefined | null>;
  set<T>(key: string, value: T, ttl?: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}
