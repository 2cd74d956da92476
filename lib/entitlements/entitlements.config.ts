import {
  MAX_TIMER_MS,
  normalizeRoutePath,
  POLAR_ID_PATTERN,
  positiveInteger,
  positiveMilliseconds,
} from '../common/option-rules.js';
import { resolveStoreOption } from '../common/store-option.js';
import { failOption } from '../errors/polar-configuration.error.js';
import type {
  PolarCustomerStateStore,
  PolarEntitlementsConfig,
  PolarEntitlementsOptions,
} from '../interfaces/polar-entitlements-options.interface.js';

export const DEFAULT_ENTITLEMENTS_TTL_MS = 60_000;
export const DEFAULT_STALE_WHILE_REVALIDATE_MS = 240_000;
export const DEFAULT_MAX_STALE_MS = 3_600_000;
export const DEFAULT_SYNC_MS = 500;
export const DEFAULT_ENTITLEMENTS_MAX_ENTRIES = 10_000;
export const DEFAULT_CHECKOUT_PATH = 'billing/checkout';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Validates `entitlements` and applies every default (pure); throws naming the option. */
export function resolveEntitlementsConfig(option: PolarEntitlementsOptions | undefined): PolarEntitlementsConfig {
  if (option === undefined) option = {};
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    failOption('entitlements', 'must be an object');
  }
  const {
    store = 'memory',
    ttlMs = DEFAULT_ENTITLEMENTS_TTL_MS,
    staleWhileRevalidateMs = DEFAULT_STALE_WHILE_REVALIDATE_MS,
    onPolarDown = 'serve-stale',
    maxStaleMs = DEFAULT_MAX_STALE_MS,
    syncMs = DEFAULT_SYNC_MS,
    maxEntries = DEFAULT_ENTITLEMENTS_MAX_ENTRIES,
    checkoutPath,
    redirectTo,
  } = option;
  if (onPolarDown !== 'serve-stale' && onPolarDown !== 'deny') {
    failOption('entitlements.onPolarDown', 'must be "serve-stale" or "deny"');
  }
  if (
    typeof staleWhileRevalidateMs !== 'number' ||
    !(staleWhileRevalidateMs >= 0) ||
    staleWhileRevalidateMs > MAX_TIMER_MS
  ) {
    failOption('entitlements.staleWhileRevalidateMs', 'must be a number of milliseconds, 0 or more');
  }
  return {
    store: resolveStoreOption<PolarCustomerStateStore>(store, 'entitlements.store', ['get', 'set', 'del']),
    ttlMs: positiveMilliseconds(ttlMs, 'entitlements.ttlMs', MAX_TIMER_MS),
    staleWhileRevalidateMs,
    onPolarDown,
    maxStaleMs: positiveMilliseconds(maxStaleMs, 'entitlements.maxStaleMs', MAX_TIMER_MS),
    syncMs: positiveMilliseconds(syncMs, 'entitlements.syncMs', MAX_TIMER_MS),
    maxEntries: positiveInteger(maxEntries, 'entitlements.maxEntries'),
    benefits: idsByName(option.benefits, 'entitlements.benefits', 'benefit'),
    meters: idsByName(option.meters, 'entitlements.meters', 'meter'),
    checkoutPath: normalizeRoutePath('entitlements.checkoutPath', checkoutPath, DEFAULT_CHECKOUT_PATH),
    redirectTo: redirectTarget(redirectTo),
  };
}

function idsByName(value: unknown, option: string, what: string): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({});
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failOption(option, `must be an object of Polar ${what} ids by name`);
  }
  const out: Record<string, string> = Object.create(null);
  for (const [name, id] of Object.entries(value)) {
    if (!NAME.test(name)) failOption(`${option}.${name}`, 'must be named with letters, digits, "-", "_", "." or ":"');
    if (typeof id !== 'string' || !POLAR_ID_PATTERN.test(id))
      failOption(`${option}.${name}`, `must be a Polar ${what} id (a UUID)`);
    out[name] = id.toLowerCase();
  }
  return Object.freeze(out);
}

function redirectTarget(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || /[\s#]/.test(value)) {
    return failOption('entitlements.redirectTo', 'must be a path ("/pricing") or an absolute http(s) URL');
  }
  if (value.startsWith('/') && !value.startsWith('//')) return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    return failOption('entitlements.redirectTo', 'must be a path ("/pricing") or an absolute http(s) URL');
  }
  return value;
}
