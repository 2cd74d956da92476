import { positiveInteger } from '../../common/option-rules.js';
import { resolveStoreOption } from '../../common/store-option.js';
import type {
  PolarSessionReuseConfig,
  PolarSessionReuseOptions,
  PolarSessionReuseStore,
} from '../../interfaces/polar-session-reuse-options.interface.js';
import { failOption } from '../../errors/polar-configuration.error.js';

/** Default of `safetyMarginSeconds`: a portal visit started just before it still has 15 minutes. */
export const DEFAULT_SESSION_REUSE_MARGIN_SECONDS = 900;
/** Default of `maxEntries` for the in-memory store. */
export const DEFAULT_SESSION_REUSE_MAX_ENTRIES = 10_000;
/** Default of `maxSessionsPerCustomer`: a few pages with a portal link, each its own return URL. */
export const DEFAULT_MAX_SESSIONS_PER_CUSTOMER = 3;
/** Polar portal sessions live one hour; a margin this long would never reuse anything. */
const POLAR_SESSION_LIFETIME_SECONDS = 3600;

/** Validates `portal.sessionReuse` and applies every default (pure); throws naming the option. */
export function resolveSessionReuseConfig(
  option: boolean | PolarSessionReuseOptions | undefined,
): PolarSessionReuseConfig {
  if (option === undefined || option === false) return false;
  if (option === true) option = {};
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    failOption('portal.sessionReuse', 'must be true, false or an object');
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
    failOption(
      'portal.sessionReuse.safetyMarginSeconds',
      `must be a number of seconds from 0 to less than ${POLAR_SESSION_LIFETIME_SECONDS} (a session lives one hour)`,
    );
  }
  return {
    safetyMarginMs: safetyMarginSeconds * 1000,
    store: resolveStoreOption<PolarSessionReuseStore>(store, 'portal.sessionReuse.store', ['get', 'set', 'del']),
    maxEntries: positiveInteger(maxEntries, 'portal.sessionReuse.maxEntries'),
    maxSessionsPerCustomer: positiveInteger(maxSessionsPerCustomer, 'portal.sessionReuse.maxSessionsPerCustomer'),
  };
}
