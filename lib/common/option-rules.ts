import type { CanActivate, Type } from '@nestjs/common';
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

function isGuardClass(value: unknown): value is Type<CanActivate> {
  return (
    typeof value === 'function' &&
    typeof (value as { prototype?: { canActivate?: unknown } }).prototype?.canActivate === 'function'
  );
}

/** A route's app guards: an array of guard classes or instances (`fail` names the route's option). */
export function guardList(
  guards: unknown,
  fail: (option: string, rule: string) => never,
): Array<Type<CanActivate> | CanActivate> {
  if (!Array.isArray(guards)) {
    return fail('guards', 'must be an array of guard classes or instances');
  }
  guards.forEach((guard: unknown, index) => {
    const isInstance =
      typeof guard === 'object' && guard !== null && typeof (guard as CanActivate).canActivate === 'function';
    if (!isInstance && !isGuardClass(guard)) {
      fail(`guards[${index}]`, 'must be a guard class or an object with canActivate()');
    }
  });
  return [...(guards as Array<Type<CanActivate> | CanActivate>)];
}

/** A boolean option. */
export function booleanOption(value: unknown, option: string, fail: (option: string, rule: string) => never): boolean {
  return typeof value === 'boolean' ? value : fail(option, 'must be a boolean');
}

/** One of a fixed list of values. */
export function oneOf<T>(
  value: unknown,
  allowed: readonly T[],
  option: string,
  fail: (option: string, rule: string) => never,
): T {
  return allowed.includes(value as T)
    ? (value as T)
    : fail(option, `must be one of ${allowed.map((entry) => `'${String(entry)}'`).join(', ')}`);
}

/** A Polar id (a UUID, any case). */
export const POLAR_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Normalises a route path ("/billing/portal/" → "billing/portal"); `fallback` when not given. */
export function normalizeRoutePath(option: string, path: unknown, fallback: string): string {
  if (path === undefined) return fallback;
  if (typeof path !== 'string') return failOption(option, 'must be a string');
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '' || /[\s?#]/.test(trimmed)) {
    return failOption(option, 'must be a non-empty route path without spaces, "?" or "#"');
  }
  return trimmed;
}
