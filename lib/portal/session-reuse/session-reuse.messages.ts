import { invalidOptionMessage } from '../../polar.messages.js';

/** Wording of session-reuse errors and log lines, in one place. None may carry a token or URL. */
export const SESSION_REUSE_MESSAGES = {
  badOption: (option: string, rule: string) => invalidOptionMessage(`portal.sessionReuse${option}`, rule),
  noCacheManager:
    "PolarModule: portal.sessionReuse.store is 'cache-manager' but no CACHE_MANAGER provider was found; " +
    'import CacheModule from @nestjs/cache-manager (isGlobal: true, or in a module PolarModule can see), ' +
    "or pass a store object, or use 'memory'.",
  storeFailed: (operation: string, error: unknown) =>
    `Portal session store ${operation} failed (${error instanceof Error ? error.name : typeof error}); asking Polar instead.`,
} as const;
