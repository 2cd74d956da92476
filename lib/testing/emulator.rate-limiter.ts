import type { PolarEmulatorRateLimit } from './emulator.types.js';

/** Polar's fixed-window limiter, one counter per organization. */
export class FixedWindowRateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: PolarEmulatorRateLimit | false,
    private readonly clock: () => Date,
  ) {
    if (limit && (!(limit.limit > 0) || !(limit.windowSeconds > 0))) {
      throw new RangeError('rateLimit: limit and windowSeconds must be positive numbers');
    }
  }

  /** Counts one request; returns the `retry-after` seconds when it is over the limit. */
  hit(key: string): number | undefined {
    if (!this.limit) return undefined;
    const now = this.clock().getTime();
    const windowMs = this.limit.windowSeconds * 1000;
    let window = this.windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    // Polar answers with the window length, not the time left in it.
    return window.count > this.limit.limit ? this.limit.windowSeconds : undefined;
  }

  reset(): void {
    this.windows.clear();
  }
}
