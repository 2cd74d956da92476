/** Injection token of the official SDK client (see `@InjectPolar()`). */
export const POLAR_CLIENT = Symbol('POLAR_CLIENT');
/** Injection token of the options with every default applied. */
export const POLAR_RESOLVED_OPTIONS = Symbol('POLAR_RESOLVED_OPTIONS');

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_READ_RETRIES = 2;
export const DEFAULT_PORTAL_PATH = 'billing/portal';
export const DEFAULT_WEBHOOKS_PATH = 'billing/webhooks';
