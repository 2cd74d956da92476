import type { PolarSessionReuseStore } from '../../interfaces/polar-session-reuse-options.interface.js';

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * The default session store: a Map in this process with per-key expiry, holding at most
 * `maxEntries` keys (the oldest written is dropped first). Writes take effect when called, before
 * the returned promise settles, so a deletion is visible to the very next request.
 */
export class PolarMemorySessionStore implements PolarSessionReuseStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of live and not yet swept keys (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  private read<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.read<T>(key);
  }

  async mget<T>(keys: string[]): Promise<Array<T | undefined>> {
    return keys.map((key) => this.read<T>(key));
  }

  async set<T>(key: string, value: T, ttl?: number): Promise<T> {
    // Re-inserting moves the key to the end of the Map's order, which the cap evicts from the front.
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: ttl === undefined ? Infinity : this.now() + ttl });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }

  async del(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }
}
