import type { PolarCacheLike } from '../interfaces/polar-cache.interface.js';
import { DEFAULT_WEBHOOK_CACHE_KEY_PREFIX } from './webhooks.constants.js';
import type { PolarWebhookDedupeStore } from '../interfaces/polar-webhook-dedupe-store.interface.js';

export type { PolarCacheLike };

/** Options of the cache-manager dedupe store. */
export interface PolarCacheManagerDedupeStoreOptions {
  /** Prefix of every key this store writes. @default 'polar:webhook:' */
  keyPrefix?: string;
  /**
   * Atomic claims on a shared backend (e.g. Redis `SET key 1 NX PX ttl` and `DEL key`).
   * cache-manager has no set-if-absent; without this, a claim is a read then a write, and two
   * instances receiving the same delivery in the same instant may both run the handlers.
   * @default undefined (read-then-write claims through the cache)
   */
  claims?: PolarAtomicClaims;
}

/** Atomic claim operations for `PolarCacheManagerDedupeStore` (keys arrive already prefixed). */
export interface PolarAtomicClaims {
  /** Sets `key` for `ttlMs` only if it is absent; resolves `true` when this call set it. */
  setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
  /** Deletes `key`. */
  delete(key: string): Promise<void>;
}

/**
 * Dedupe store over a cache-manager cache, e.g. the one `@nestjs/cache-manager` provides with a
 * Redis (Keyv) store, so several app instances deduplicate together.
 */
export class PolarCacheManagerDedupeStore implements PolarWebhookDedupeStore {
  private readonly keyPrefix: string;

  constructor(
    private readonly cache: PolarCacheLike,
    private readonly options: PolarCacheManagerDedupeStoreOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_WEBHOOK_CACHE_KEY_PREFIX;
  }

  async isHandled(webhookId: string): Promise<boolean> {
    return (await this.cache.get<number>(this.handledKey(webhookId))) != null;
  }

  async claim(webhookId: string, ttlMs: number): Promise<boolean> {
    const key = this.claimKey(webhookId);
    if (this.options.claims) return this.options.claims.setIfAbsent(key, ttlMs);
    if ((await this.cache.get<number>(key)) != null) return false;
    await this.cache.set(key, 1, ttlMs);
    return true;
  }

  async markHandled(webhookId: string, ttlMs: number): Promise<void> {
    // Written before the claim is dropped, so a retry that wins the next claim sees it as handled.
    await this.cache.set(this.handledKey(webhookId), 1, ttlMs);
    await this.releaseClaim(webhookId);
  }

  async release(webhookId: string): Promise<void> {
    await this.releaseClaim(webhookId);
  }

  private async releaseClaim(webhookId: string): Promise<void> {
    const key = this.claimKey(webhookId);
    // An atomic claim lives in the backend's raw key space, not under the cache's (Keyv) namespace.
    if (this.options.claims) await this.options.claims.delete(key);
    else await this.cache.del(key);
  }

  private handledKey(webhookId: string): string {
    return `${this.keyPrefix}handled:${webhookId}`;
  }

  private claimKey(webhookId: string): string {
    return `${this.keyPrefix}claim:${webhookId}`;
  }
}
