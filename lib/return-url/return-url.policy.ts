/**
 * The one return-URL policy of the portal route.
 *
 * A `return_url` is where Polar's portal sends the user back. Whatever the client puts in the
 * query is attacker-controlled (a link in a phishing mail can carry it), so only two shapes pass:
 * - a root-relative path of this app (`/account?tab=billing`), resolved against the app origin;
 * - an absolute http(s) URL whose origin is the configured `appOrigin` or on `allowedReturnOrigins`.
 * Everything that a browser, a proxy or a chained redirect could read as another host is refused
 * with a reason, before anything is sent to Polar.
 *
 * The value checked is the one the HTTP adapter hands us, i.e. already percent-decoded once.
 * Anything still encoded in the path (`%2F`, `%5C`, `%25`, control characters) is a second layer
 * of encoding, which only makes sense to smuggle a delimiter past a check like this one.
 */
import { RETURN_URL_MAX_LENGTH } from '../sessions/dto/create-customer-session.dto.js';

/** Why a `return_url` was refused; stable codes an app can branch on (`rule` in the 400 body). */
export type ReturnUrlRejectionRule =
  | 'repeated'
  | 'not-a-string'
  | 'empty'
  | 'too-long'
  | 'control-character'
  | 'whitespace'
  | 'backslash'
  | 'encoded-delimiter'
  | 'protocol-relative'
  | 'double-slash-path'
  | 'scheme-not-allowed'
  | 'malformed-absolute'
  | 'userinfo'
  | 'origin-not-allowed'
  | 'not-a-path'
  | 'no-app-origin'
  | 'not-an-origin';

/** Outcome of checking one `return_url`: the absolute URL to send to Polar, or why not. */
export type ReturnUrlCheck = { ok: true; url: string } | { ok: false; rule: ReturnUrlRejectionRule; reason: string };

/** Normalised inputs of the policy (built once from the portal options). */
export interface ReturnUrlPolicyConfig {
  /** Configured origin of the app (`https://app.example.com`), normalised; wins over the request's. */
  appOrigin?: string;
  /** Extra origins an absolute `return_url` may point at, normalised. */
  allowedOrigins: ReadonlySet<string>;
}

// C0 and C1 controls: CR/LF/tab/NUL are what header-splitting and browser URL clean-up
// (browsers silently drop tab and newline, turning `/\t/evil` into `//evil`) rely on.
const CONTROL = /\p{Cc}/u;
// Any Unicode space or invisible format character (NBSP, U+2028, zero-width, bidi overrides):
// they change how a URL looks or parses without being visible.
const WHITESPACE = /[\p{Z}\p{Cf}]/u;
// A second layer of encoding of '/', '\', '%' or a control character.
const ENCODED_DELIMITER = /%(?:2f|5c|25|[01][0-9a-f]|7f)/i;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// Exactly two slashes, then a host character: `https:evil`, `https:/evil` and `https:///evil`
// are all read by the WHATWG parser as https://evil and are refused.
const HTTP_ABSOLUTE = /^https?:\/\/[^/\\]/i;

function reject(rule: ReturnUrlRejectionRule, reason: string): ReturnUrlCheck {
  return { ok: false, rule, reason };
}

/**
 * Checks one `return_url` query value. `requestOrigin` is used for relative paths only when no
 * `appOrigin` is configured (see `originOfRequest`).
 */
export function checkReturnUrl(value: unknown, config: ReturnUrlPolicyConfig, requestOrigin?: string): ReturnUrlCheck {
  if (Array.isArray(value)) {
    return reject('repeated', 'it must be given once, not repeated');
  }
  if (typeof value !== 'string') {
    return reject('not-a-string', 'it must be a plain string');
  }
  if (value.length === 0) {
    return reject('empty', 'it is empty; leave it out to use the default');
  }
  if (value.length > RETURN_URL_MAX_LENGTH) {
    return reject('too-long', `it is longer than ${RETURN_URL_MAX_LENGTH} characters`);
  }
  if (CONTROL.test(value)) {
    return reject('control-character', 'it contains a control character (CR, LF, tab, NUL…)');
  }
  if (WHITESPACE.test(value)) {
    return reject('whitespace', 'it contains whitespace or an invisible formatting character');
  }
  if (value.includes('\\')) {
    return reject('backslash', "it contains a backslash, which browsers read as '/'");
  }
  const pathPart = value.split(/[?#]/, 1)[0] ?? '';
  if (ENCODED_DELIMITER.test(pathPart)) {
    return reject(
      'encoded-delimiter',
      "its path contains an encoded '/', '\\', '%' or control character (double encoding)",
    );
  }
  if (value.startsWith('//')) {
    return reject('protocol-relative', "it starts with '//', which browsers read as another host");
  }
  if (value.startsWith('/')) {
    return resolveRelative(value, config.appOrigin ?? requestOrigin);
  }
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    return reject('not-a-path', "it is neither a path starting with '/' nor an absolute http(s) URL");
  }
  if (scheme !== 'http' && scheme !== 'https') {
    return reject('scheme-not-allowed', `the '${scheme}:' scheme is not allowed; only http and https are`);
  }
  if (!HTTP_ABSOLUTE.test(value)) {
    return reject('malformed-absolute', `'${scheme}:' must be followed by exactly '//' and a host`);
  }
  const authority = value.slice(scheme.length + 3).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@')) {
    return reject('userinfo', "it has a user part ('…@host'); the host is what follows '@'");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return reject('malformed-absolute', 'it is not a valid URL');
  }
  if (url.username !== '' || url.password !== '') {
    return reject('userinfo', "it has a user part ('…@host'); the host is what follows '@'");
  }
  if (url.origin !== config.appOrigin && !config.allowedOrigins.has(url.origin)) {
    return reject('origin-not-allowed', `the origin ${url.origin} is not on allowedReturnOrigins`);
  }
  return acceptNormalised(url);
}

function resolveRelative(path: string, origin: string | undefined): ReturnUrlCheck {
  if (origin === undefined) {
    return reject('no-app-origin', 'a relative path needs the app origin, and none could be derived');
  }
  let url: URL;
  try {
    url = new URL(path, origin + '/');
  } catch {
    return reject('not-a-path', 'it is not a valid path');
  }
  // Belt and braces: the checks above make a host change impossible, this proves it.
  if (url.origin !== origin) {
    return reject('origin-not-allowed', `it resolves to ${url.origin}, not to the app origin`);
  }
  return acceptNormalised(url);
}

/**
 * The last word on a URL that passed every check, judged as it will be sent (normalised by the
 * WHATWG parser: dot segments and `%2e` removed): a path that now starts with `//` reads as another
 * host to a browser resolving it relative to the page and to any redirect that echoes the path.
 */
function acceptNormalised(url: URL): ReturnUrlCheck {
  if (url.pathname.startsWith('//')) {
    return reject('double-slash-path', "once normalised its path starts with '//', which reads as another host");
  }
  return url.href.length > RETURN_URL_MAX_LENGTH
    ? reject('too-long', `once resolved it is longer than ${RETURN_URL_MAX_LENGTH} characters`)
    : { ok: true, url: url.href };
}

/** Outcome of checking one configured value: the normalised value, or the rule it breaks. */
export type ConfiguredValueCheck = { ok: true; value: string } | { ok: false; problem: string };

/**
 * Normalises a configured origin (`appOrigin`, an `allowedReturnOrigins` entry): only a bare
 * http(s) origin passes, so a typo stops start-up instead of silently refusing (or allowing)
 * return URLs.
 */
export function parseConfiguredOrigin(value: unknown): ConfiguredValueCheck {
  const fail = (problem: string): ConfiguredValueCheck => ({
    ok: false,
    problem: `${problem} (expected an origin like 'https://app.example.com')`,
  });
  if (typeof value !== 'string' || value.length === 0) {
    return fail('must be a non-empty string');
  }
  if (CONTROL.test(value) || WHITESPACE.test(value) || value.includes('\\') || value.includes('*')) {
    return fail('must not contain whitespace, control characters, backslashes or wildcards');
  }
  if (!HTTP_ABSOLUTE.test(value)) {
    return fail("must start with 'http://' or 'https://' and a host");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('is not a valid URL');
  }
  const authority = value.slice(url.protocol.length + 2).split(/[/?#]/, 1)[0] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    return fail('must not contain a user part');
  }
  if (url.pathname !== '/' || /[?#]/.test(value)) {
    return fail('must be an origin only, without a path, query or fragment');
  }
  return { ok: true, value: url.origin };
}

/**
 * Checks the configured `defaultReturnUrl` once, at start-up: an absolute http(s) URL (trusted,
 * it is the app's own configuration, so its origin needs no allowlisting; returned normalised) or a
 * root-relative path. With `appOrigin` known the path is resolved here, once; without it, it stays
 * a path and is resolved per request like a `return_url` query path.
 */
export function parseConfiguredReturnUrl(value: unknown, appOrigin?: string): ConfiguredValueCheck {
  if (typeof value !== 'string' || value.length === 0) {
    return { ok: false, problem: "must be a non-empty string (a path like '/account' or an absolute http(s) URL)" };
  }
  let ownOrigin = 'null';
  try {
    ownOrigin = new URL(value).origin;
  } catch {
    // Not absolute: checked as a path below.
  }
  const check = checkReturnUrl(value, { allowedOrigins: new Set([ownOrigin]) }, appOrigin ?? 'http://app.invalid');
  return check.ok
    ? { ok: true, value: value.startsWith('/') && appOrigin === undefined ? value : check.url }
    : {
        ok: false,
        problem: `is refused: ${check.reason} (expected a path like '/account' or an absolute http(s) URL)`,
      };
}

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The parts of an Express or Fastify request that `originOfRequest` reads. */
export interface RequestOriginSource {
  protocol?: unknown;
  host?: unknown;
  headers?: Record<string, unknown>;
}

/**
 * The request's own origin, used for relative return paths when `appOrigin` is not configured.
 *
 * Why this is safe: the Host a victim's browser sends is the host it is talking to, i.e. this
 * app; an attacker can only forge the Host of their own requests, and the answer is `no-store`,
 * so it cannot be cached for others. Behind a proxy, Express (`trust proxy`) and Fastify
 * (`trustProxy`) report the forwarded protocol and host; without that they report the proxy's.
 * Configure `appOrigin` to not depend on any of this. Returns undefined for a Host that is not a
 * plain host[:port].
 */
export function originOfRequest(request: RequestOriginSource): string | undefined {
  const protocol = request.protocol === 'https' ? 'https' : request.protocol === 'http' ? 'http' : undefined;
  const host = typeof request.host === 'string' && request.host !== '' ? request.host : request.headers?.host;
  if (protocol === undefined || typeof host !== 'string' || !HOST.test(host)) {
    return undefined;
  }
  try {
    const origin = new URL(`${protocol}://${host}`).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
