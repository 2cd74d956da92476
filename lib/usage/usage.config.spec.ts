import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import { resolveUsageConfig } from './usage.config.js';

describe('resolveUsageConfig', () => {
  it('applies every default', () => {
    expect(resolveUsageConfig(undefined)).toEqual({
      maxBatchSize: 1000,
      flushIntervalMs: 1000,
      maxBufferedEvents: 100_000,
      retryInitialDelayMs: 250,
      retryMaxDelayMs: 30_000,
      shutdownTimeoutMs: 5000,
      buffer: 'memory',
      onRejected: undefined,
    });
  });

  it('keeps a store object with append, remove and load', () => {
    const store = { append: async () => {}, remove: async () => {}, load: async () => [] };
    expect(resolveUsageConfig({ buffer: store }).buffer).toBe(store);
    expect(resolveUsageConfig({ buffer: 'cache-manager' }).buffer).toBe('cache-manager');
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'fast', /"usage" must be an object/],
    ['a zero batch', { maxBatchSize: 0 }, /"usage.maxBatchSize" must be a positive integer/],
    ['a fractional buffer bound', { maxBufferedEvents: 10.5 }, /"usage.maxBufferedEvents" must be a positive integer/],
    [
      'a buffer smaller than a batch',
      { maxBatchSize: 100, maxBufferedEvents: 10 },
      /must be at least usage.maxBatchSize/,
    ],
    ['a negative interval', { flushIntervalMs: -1 }, /"usage.flushIntervalMs" must be a positive number/],
    [
      'max delay below the first',
      { retryInitialDelayMs: 500, retryMaxDelayMs: 100 },
      /must be at least usage.retryInitialDelayMs/,
    ],
    ['an endless shutdown', { shutdownTimeoutMs: Infinity }, /"usage.shutdownTimeoutMs"/],
    [
      'a store without load',
      { buffer: { append() {}, remove() {} } },
      /"usage.buffer" must be 'memory', 'cache-manager' or an object with append, remove, load/,
    ],
    ['onRejected not a function', { onRejected: 'log' }, /"usage.onRejected" must be a function/],
  ])('%s → a PolarConfigurationError naming the option', (_case, options, message) => {
    expect(() => resolveUsageConfig(options as never)).toThrow(PolarConfigurationError);
    expect(() => resolveUsageConfig(options as never)).toThrow(message);
  });
});
