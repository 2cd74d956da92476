import type { CanActivate, Type } from '@nestjs/common';
import type {
  PolarPortalConfig,
  PolarPortalOptions,
  PolarPortalResponseMode,
} from '../interfaces/polar-portal-options.interface.js';
import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import { invalidOptionMessage } from '../polar.messages.js';
import { parseConfiguredOrigin, parseConfiguredReturnUrl } from './return-url.policy.js';
import { resolveSessionReuseConfig } from './session-reuse/session-reuse.config.js';

/** Injection token of the portal options, validated and with every default applied. */
export const POLAR_PORTAL_CONFIG = Symbol('POLAR_PORTAL_CONFIG');

export type { PolarPortalConfig };

/** A portal option is malformed: start-up stops with a message naming it. */
export class PolarPortalConfigurationError extends PolarConfigurationError {
  constructor(option: string, rule: string) {
    super(invalidOptionMessage(`portal.${option}`, rule), `portal.${option}`);
  }
}

const RESPONSE_MODES: readonly PolarPortalResponseMode[] = ['negotiate', 'redirect', 'json'];

function isGuardClass(value: unknown): value is Type<CanActivate> {
  return (
    typeof value === 'function' &&
    typeof (value as { prototype?: { canActivate?: unknown } }).prototype?.canActivate === 'function'
  );
}

/** Validates the `portal` options and applies every default (pure; runs once, at start-up). */
export function resolvePortalConfig(options: PolarPortalOptions, path: string): PolarPortalConfig {
  const fail = (option: string, rule: string): never => {
    throw new PolarPortalConfigurationError(option, rule);
  };

  const { guards = [], defaultReturnUrl, appOrigin, allowedReturnOrigins = [] } = options;
  const { createCustomerIfMissing = false, respondWith = 'negotiate' } = options;

  if (!Array.isArray(guards)) {
    fail('guards', 'must be an array of guard classes or instances');
  }
  guards.forEach((guard, index) => {
    const isInstance = typeof guard === 'object' && guard !== null && typeof guard.canActivate === 'function';
    if (!isInstance && !isGuardClass(guard)) {
      fail(`guards[${index}]`, 'must be a guard class or an object with canActivate()');
    }
  });

  let appOriginValue: string | undefined;
  if (appOrigin !== undefined) {
    const parsed = parseConfiguredOrigin(appOrigin);
    appOriginValue = parsed.ok ? parsed.value : fail('appOrigin', parsed.problem);
  }
  if (!Array.isArray(allowedReturnOrigins)) {
    fail('allowedReturnOrigins', 'must be an array of origins');
  }
  const allowedOrigins = new Set(
    allowedReturnOrigins.map((origin, index) => {
      const parsed = parseConfiguredOrigin(origin);
      return parsed.ok ? parsed.value : fail(`allowedReturnOrigins[${index}]`, parsed.problem);
    }),
  );
  let defaultReturnUrlValue: string | undefined;
  if (defaultReturnUrl !== undefined) {
    const parsed = parseConfiguredReturnUrl(defaultReturnUrl, appOriginValue);
    defaultReturnUrlValue = parsed.ok ? parsed.value : fail('defaultReturnUrl', parsed.problem);
  }
  if (typeof createCustomerIfMissing !== 'boolean') {
    fail('createCustomerIfMissing', 'must be a boolean');
  }
  if (!RESPONSE_MODES.includes(respondWith)) {
    fail('respondWith', `must be one of ${RESPONSE_MODES.map((mode) => `'${mode}'`).join(', ')}`);
  }

  return {
    path,
    guards: [...guards],
    defaultReturnUrl: defaultReturnUrlValue,
    returnUrlPolicy: { appOrigin: appOriginValue, allowedOrigins },
    createCustomerIfMissing,
    respondWith,
    sessionReuse: resolveSessionReuseConfig(options.sessionReuse),
  };
}
