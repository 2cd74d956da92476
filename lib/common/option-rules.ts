import { failOption } from '../errors/polar-configuration.error.js';

/**
 * The small rules several option resolvers share, so each is written (and worded) once. Each
 * returns the value when it passes and throws a `PolarConfigurationError` naming `option` otherwise.
 */

/** Longest delay a Node timer takes (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** A positive, finite number of milliseconds, at most `max` (`MAX_TIMER_MS` for a timeout). */
export function positiveMilliseconds(value: unknown, option: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    return failOption(option, 'must be a positive number of milliseconds');
  }
  return value;
}

/** A positive integer (a size bound). */
export function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    return failOption(option, 'must be a positive integer');
  }
  return value;
}
