import { positiveInteger } from '../common/option-rules.js';
import { DEFAULT_WEBHOOK_DEDUPE_MAX_ENTRIES } from './webhooks.constants.js';
import type { PolarWebhookDedupeStore } from '../interfaces/polar-webhook-dedupe-store.interface.js';

/** Options of the in-memory dedupe store. */
export interface PolarMemoryDedupeStoreOptions {
  /** Most handled ids kept; the oldest are forgotten first. @default 10000 */
  maxEntries?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Default dedupe store: one process only, bounded in size, entries expire after their TTL.
 * Claims are atomic here because JavaScript runs one callback at a time.
 */
export class PolarMemoryDedupeStore implements PolarWebhookDedupeStore {
  private readonly handled = new Map<string, number>();
  private readonly claims = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: PolarMemoryDedupeStoreOptions = {}) {
    this.maxEntries = positiveInteger(
      options.maxEntries ?? DEFAULT_WEBHOOK_DEDUPE_MAX_ENTRIES,
      'webhooks.dedupe.maxEntries',
    );
    this.now = options.now ?? Date.now;
  }

  /** Number of handled ids currently remembered. */
  get size(): number {
    return this.handled.size;
  }

  async isHandled(webhookId: string): Promise<boolean> {
    return this.alive(this.handled, webhookId);
  }

  async claim(webhookId: string, ttlMs: number): Promise<boolean> {
    if (this.alive(this.claims, webhookId)) return false;
    this.claims.set(webhookId, this.now() + ttlMs);
    return true;
  }

  async markHandled(webhookId: string, ttlMs: number): Promise<void> {
    // Re-inserting moves the id to the end, so Map order stays oldest-first for eviction.
    this.handled.delete(webhookId);
    this.handled.set(webhookId, this.now() + ttlMs);
    this.claims.delete(webhookId);
    this.evict();
  }

  async release(webhookId: string): Promise<void> {
    this.claims.delete(webhookId);
  }

  private alive(map: Map<string, number>, key: string): boolean {
    const expiresAt = map.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.now()) return true;
    map.delete(key);
    return false;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, expiresAt] of this.handled) {
      if (this.handled.size <= this.maxEntries && expiresAt > now) break;
      this.handled.delete(key);
    }
    // Claims are short-lived; drop expired ones so a flood of crashed claims cannot grow without bound.
    if (this.claims.size > this.maxEntries) {
      for (const [key, expiresAt] of this.claims) if (expiresAt <= now) this.claims.delete(key);
    }
  }
}
