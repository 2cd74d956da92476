import type {
  PolarSessionReuseOptions,
  PolarSessionReuseStore,
} from '../../interfaces/polar-session-reuse-options.interface.js';
import { SESSION_REUSE_MESSAGES } from './session-reuse.messages.js';

/** Default of `safetyMarginSeconds`: a portal visit started just before it still has 15 minutes. */
export const DEFAULT_SESSION_REUSE_MARGIN_SECONDS = 900;
/** Default of `maxSessionsPerCustomer`: a few pages with a portal link, each its own return URL. */
export const DEFAULT_MAX_SESSIONS_PER_CUSTOMER = 3;
/** Default of `maxEntries` for the in-memory store. */
export const DEFAULT_SESSION_REUSE_MAX_ENTRIES = 10_000;
/** Polar portal sessions live one hour; a margin this long would never reuse anything. */
const POLAR_SESSION_LIFETIME_SECONDS = 3600;

/** Session reuse with every default applied, or `false` when it is off. */
export type PolarSessionReuseConfig =
  | false
  | {
      safetyMarginMs: number;
      store: 'memory' | 'cache-manager' | PolarSessionReuseStore;
      maxEntries: number;
      maxSessionsPerCustomer: number;
    };

/** A malformed `portal.sessionReuse` option: start-up stops with a message naming it. */
export class PolarSessionReuseConfigurationError extends Error {
  constructor(option: string, rule: string) {
    super(SESSION_REUSE_MESSAGES.badOption(option, rule));
    this.name = 'PolarSessionReuseConfigurationError';
  }
}

function isStore(value: unknown): value is PolarSessionReuseStore {
  const candidate = value as Partial<PolarSessionReuseStore> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.get === 'function' &&
    typeof candidate.set === 'function' &&
    typeof candidate.del === 'function'
  );
}

/** Validates `portal.sessionReuse` and applies the defaults; throws naming the option. */
export function resolveSessionReuseConfig(
  option: boolean | PolarSessionReuseOptions | undefined,
): PolarSessionReuseConfig {
  if (option === undefined || option === false) return false;
  if (option === true) option = {};
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new PolarSessionReuseConfigurationError('', 'must be true, false or an object');
  }
  const {
    safetyMarginSeconds = DEFAULT_SESSION_REUSE_MARGIN_SECONDS,
    store = 'memory',
    maxEntries = DEFAULT_SESSION_REUSE_MAX_ENTRIES,
    maxSessionsPerCustomer = DEFAULT_MAX_SESSIONS_PER_CUSTOMER,
  } = option;
  if (
    typeof safetyMarginSeconds !== 'number' ||
    !Number.isFinite(safetyMarginSeconds) ||
    safetyMarginSeconds < 0 ||
    safetyMarginSeconds >= POLAR_SESSION_LIFETIME_SECONDS
  ) {
    throw new PolarSessionReuseConfigurationError(
      '.safetyMarginSeconds',
      `must be a number of seconds from 0 to less than ${POLAR_SESSION_LIFETIME_SECONDS} (a session lives one hour)`,
    );
  }
  if (store !== 'memory' && store !== 'cache-manager' && !isStore(store)) {
    throw new PolarSessionReuseConfigurationError(
      '.store',
      "must be 'memory', 'cache-manager' or an object with get, set and del (e.g. a cache-manager Cache)",
    );
  }
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new PolarSessionReuseConfigurationError('.maxEntries', 'must be a positive integer');
  }
  if (!Number.isInteger(maxSessionsPerCustomer) || maxSessionsPerCustomer < 1) {
    throw new PolarSessionReuseConfigurationError('.maxSessionsPerCustomer', 'must be a positive integer');
  }
  return { safetyMarginMs: safetyMarginSeconds * 1000, store, maxEntries, maxSessionsPerCustomer };
}
