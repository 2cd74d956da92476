import type { PolarReturnUrlSettings } from '../interfaces/polar-return-url-options.interface.js';
import { PolarInvalidReturnUrlException } from './return-url.exceptions.js';
import {
  checkReturnUrl,
  originOfRequest,
  parseConfiguredOrigin,
  type RequestOriginSource,
} from './return-url.policy.js';

/** The parameters of a request the return-URL policy reads (Express or Fastify). */
export type ReturnUrlRequest = RequestOriginSource;

/** The origin relative paths resolve against for this request: `appOrigin`, else the request's own. */
export function appOriginFor(request: ReturnUrlRequest, settings: PolarReturnUrlSettings): string | undefined {
  return settings.returnUrlPolicy.appOrigin ?? originOfRequest(request);
}

/**
 * The absolute return URL of one request: `given` (a client parameter, undefined when absent)
 * through the policy, else the configured default; undefined for none. Throws the 400
 * `PolarInvalidReturnUrlException` naming `field` and the rule, before anything reaches Polar.
 */
export function returnUrlFor(
  request: ReturnUrlRequest,
  given: unknown,
  settings: PolarReturnUrlSettings,
  field = 'return_url',
): string | undefined {
  const fallback = settings.defaultReturnUrl;
  if (given === undefined && (fallback === undefined || !fallback.startsWith('/'))) {
    // No default, or an absolute one checked and normalised at start-up: the app's own choice,
    // so its origin is not held to the allowlist that guards the client's parameter.
    return fallback;
  }
  const value = given ?? fallback;
  const policy = settings.returnUrlPolicy;
  const requestOrigin = policy.appOrigin === undefined ? originOfRequest(request) : undefined;
  const check = checkReturnUrl(value, policy, requestOrigin);
  if (!check.ok) {
    throw new PolarInvalidReturnUrlException(check.rule, check.reason, field);
  }
  return check.url;
}

/**
 * The origin of the page that embeds a checkout (`embed_origin`), by the same policy: the app
 * origin (configured, else the request's own) or one of `allowedReturnOrigins`, exactly.
 */
export function embedOriginFor(request: ReturnUrlRequest, given: unknown, settings: PolarReturnUrlSettings): string {
  const field = 'embed_origin';
  if (Array.isArray(given)) {
    throw new PolarInvalidReturnUrlException('repeated', 'it must be given once, not repeated', field);
  }
  const parsed = parseConfiguredOrigin(given);
  if (!parsed.ok) throw new PolarInvalidReturnUrlException('not-an-origin', `it ${parsed.problem}`, field);
  if (parsed.value !== appOriginFor(request, settings) && !settings.returnUrlPolicy.allowedOrigins.has(parsed.value)) {
    throw new PolarInvalidReturnUrlException(
      'origin-not-allowed',
      `the origin ${parsed.value} is neither the app's nor on allowedReturnOrigins`,
      field,
    );
  }
  return parsed.value;
}
