import { MAX_TIMER_MS, positiveInteger, positiveMilliseconds } from '../common/option-rules.js';
import { resolveStoreOption } from '../common/store-option.js';
import { failOption } from '../errors/polar-configuration.error.js';
import type {
  PolarUsageBufferStore,
  PolarUsageConfig,
  PolarUsageOptions,
} from '../interfaces/polar-usage-options.interface.js';
import {
  DEFAULT_USAGE_FLUSH_INTERVAL_MS,
  DEFAULT_USAGE_MAX_BATCH_SIZE,
  DEFAULT_USAGE_MAX_BUFFERED_EVENTS,
  DEFAULT_USAGE_RETRY_INITIAL_DELAY_MS,
  DEFAULT_USAGE_RETRY_MAX_DELAY_MS,
  DEFAULT_USAGE_SHUTDOWN_TIMEOUT_MS,
} from './usage.constants.js';

const BUFFER_STORE_METHODS = ['append', 'remove', 'load'] as const;

/** Validates the `usage` option and applies every default (pure; runs once, at start-up). */
export function resolveUsageConfig(options: PolarUsageOptions | undefined): PolarUsageConfig {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    failOption('usage', 'must be an object');
  }
  const given = options ?? {};
  const maxBatchSize = positiveInteger(given.maxBatchSize ?? DEFAULT_USAGE_MAX_BATCH_SIZE, 'usage.maxBatchSize');
  const maxBufferedEvents = positiveInteger(
    given.maxBufferedEvents ?? DEFAULT_USAGE_MAX_BUFFERED_EVENTS,
    'usage.maxBufferedEvents',
  );
  if (maxBufferedEvents < maxBatchSize) failOption('usage.maxBufferedEvents', 'must be at least usage.maxBatchSize');
  const retryInitialDelayMs = positiveMilliseconds(
    given.retryInitialDelayMs ?? DEFAULT_USAGE_RETRY_INITIAL_DELAY_MS,
    'usage.retryInitialDelayMs',
    MAX_TIMER_MS,
  );
  const retryMaxDelayMs = positiveMilliseconds(
    given.retryMaxDelayMs ?? DEFAULT_USAGE_RETRY_MAX_DELAY_MS,
    'usage.retryMaxDelayMs',
    MAX_TIMER_MS,
  );
  if (retryMaxDelayMs < retryInitialDelayMs) {
    failOption('usage.retryMaxDelayMs', 'must be at least usage.retryInitialDelayMs');
  }
  if (given.onRejected !== undefined && typeof given.onRejected !== 'function') {
    failOption('usage.onRejected', 'must be a function');
  }
  return {
    maxBatchSize,
    flushIntervalMs: positiveMilliseconds(
      given.flushIntervalMs ?? DEFAULT_USAGE_FLUSH_INTERVAL_MS,
      'usage.flushIntervalMs',
      MAX_TIMER_MS,
    ),
    maxBufferedEvents,
    retryInitialDelayMs,
    retryMaxDelayMs,
    shutdownTimeoutMs: positiveMilliseconds(
      given.shutdownTimeoutMs ?? DEFAULT_USAGE_SHUTDOWN_TIMEOUT_MS,
      'usage.shutdownTimeoutMs',
      MAX_TIMER_MS,
    ),
    buffer: resolveStoreOption<PolarUsageBufferStore>(given.buffer ?? 'memory', 'usage.buffer', BUFFER_STORE_METHODS),
    onRejected: given.onRejected,
  };
}
