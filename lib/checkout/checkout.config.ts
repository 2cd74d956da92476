import { booleanOption, guardList, oneOf } from '../common/option-rules.js';
import { RESPONSE_MODES } from '../common/prefers-json.js';
import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import type { PolarCheckoutConfig, PolarCheckoutOptions } from '../interfaces/polar-checkout-options.interface.js';
import { invalidOptionMessage } from '../polar.messages.js';
import { resolveReturnUrlSettings } from '../return-url/return-url.config.js';
import { parseConfiguredReturnUrl } from '../return-url/return-url.policy.js';

/** Injection token of the checkout options, validated and with every default applied. */
export const POLAR_CHECKOUT_CONFIG = Symbol('POLAR_CHECKOUT_CONFIG');

/** A checkout option is malformed: start-up stops with a message naming it. */
export class PolarCheckoutConfigurationError extends PolarConfigurationError {
  constructor(option: string, rule: string) {
    super(invalidOptionMessage(`checkout.${option}`, rule), `checkout.${option}`);
  }
}

/** Validates the `checkout` options and applies every default (pure; runs once, at start-up). */
export function resolveCheckoutConfig(options: PolarCheckoutOptions, path: string): PolarCheckoutConfig {
  const fail = (option: string, rule: string): never => {
    throw new PolarCheckoutConfigurationError(option, rule);
  };
  const { guards = [], allowAnonymous = false, successPage = '/', respondWith = 'negotiate' } = options;
  const { allowMultipleSubscriptions = false, resolvePlan, metadata } = options;

  const checkedGuards = guardList(guards, fail);
  const returnUrls = resolveReturnUrlSettings(options, fail);
  booleanOption(allowAnonymous, 'allowAnonymous', fail);
  booleanOption(allowMultipleSubscriptions, 'allowMultipleSubscriptions', fail);
  oneOf(respondWith, RESPONSE_MODES, 'respondWith', fail);
  const page = parseConfiguredReturnUrl(successPage, returnUrls.returnUrlPolicy.appOrigin);
  if (!page.ok) fail('successPage', page.problem);
  if (resolvePlan !== undefined && typeof resolvePlan !== 'function') {
    fail('resolvePlan', 'must be a function (name) => plan | null');
  }
  if (metadata !== undefined && typeof metadata !== 'function') {
    fail('metadata', 'must be a function (request, plan) => metadata');
  }
  return {
    path,
    guards: checkedGuards,
    ...returnUrls,
    allowAnonymous,
    successPage: (page as { value: string }).value,
    respondWith,
    allowMultipleSubscriptions,
    resolvePlan,
    metadata,
  };
}
