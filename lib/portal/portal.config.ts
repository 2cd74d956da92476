import { booleanOption, guardList, oneOf } from '../common/option-rules.js';
import { RESPONSE_MODES } from '../common/prefers-json.js';
import type { PolarPortalConfig, PolarPortalOptions } from '../interfaces/polar-portal-options.interface.js';
import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import { invalidOptionMessage } from '../polar.messages.js';
import { resolveReturnUrlSettings } from '../return-url/return-url.config.js';
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

/** Validates the `portal` options and applies every default (pure; runs once, at start-up). */
export function resolvePortalConfig(options: PolarPortalOptions, path: string): PolarPortalConfig {
  const fail = (option: string, rule: string): never => {
    throw new PolarPortalConfigurationError(option, rule);
  };

  const { guards = [] } = options;
  const { createCustomerIfMissing = false, respondWith = 'negotiate' } = options;

  const checkedGuards = guardList(guards, fail);
  const returnUrls = resolveReturnUrlSettings(options, fail);
  booleanOption(createCustomerIfMissing, 'createCustomerIfMissing', fail);
  oneOf(respondWith, RESPONSE_MODES, 'respondWith', fail);

  return {
    path,
    guards: checkedGuards,
    ...returnUrls,
    createCustomerIfMissing,
    respondWith,
    sessionReuse: resolveSessionReuseConfig(options.sessionReuse),
  };
}
