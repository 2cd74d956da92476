import type {
  PolarReturnUrlOptions,
  PolarReturnUrlSettings,
} from '../interfaces/polar-return-url-options.interface.js';
import { parseConfiguredOrigin, parseConfiguredReturnUrl } from './return-url.policy.js';

/**
 * Validates the return-URL options a route shares with the others (`appOrigin`,
 * `allowedReturnOrigins`, `defaultReturnUrl`), once at start-up. `fail(option, rule)` throws the
 * route's own configuration error, so the message names `portal.appOrigin` or `checkout.appOrigin`.
 */
export function resolveReturnUrlSettings(
  options: PolarReturnUrlOptions,
  fail: (option: string, rule: string) => never,
): PolarReturnUrlSettings {
  const { defaultReturnUrl, appOrigin, allowedReturnOrigins = [] } = options;
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
  return { defaultReturnUrl: defaultReturnUrlValue, returnUrlPolicy: { appOrigin: appOriginValue, allowedOrigins } };
}
