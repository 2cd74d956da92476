import { polarStoreProvider } from '../common/store-option.js';
import type { PolarUsageBufferStore } from '../interfaces/polar-usage-options.interface.js';
import { PolarRedisUsageBufferStore } from './redis-usage-buffer.store.js';

/** Injection token of the durable usage buffer (`PolarUsageBufferStore`, or `null` for `'memory'`). */
export const POLAR_USAGE_BUFFER_STORE = Symbol('POLAR_USAGE_BUFFER_STORE');

/**
 * The durable usage buffer chosen by `usage.buffer`: none for `'memory'` (the recorder's own
 * bounded buffer is the only one), a Redis hash for `'cache-manager'`, or the app's store; every
 * call into it runs under `storeTimeoutMs`.
 */
export const usageBufferStoreProvider = polarStoreProvider<PolarUsageBufferStore | null>({
  token: POLAR_USAGE_BUFFER_STORE,
  select: ({ usage }) => ({ option: 'usage.buffer', store: usage.buffer }),
  memory: () => null,
  overCache: (cache) => new PolarRedisUsageBufferStore(() => cache.redisCommands),
});
