import type { PolarPortalResponseMode } from '../interfaces/polar-portal-options.interface.js';

/**
 * 303 See Other, every redirect of the module's routes: "what you asked for is at this other URL,
 * GET it". Unlike 301/308 it is never cached as a permanent move, unlike 307 it never replays a
 * method, and it is right after a GET and after a form POST alike.
 */
export const POLAR_REDIRECT_STATUS = 303;

/** How a route may answer a success (`respondWith`): shared by the portal and the checkout. */
export const RESPONSE_MODES: readonly PolarPortalResponseMode[] = ['negotiate', 'redirect', 'json'];

/** Whether a route configured with `mode` answers this request with JSON rather than a redirect. */
export function answersWithJson(mode: PolarPortalResponseMode, accept: unknown): boolean {
  return mode === 'json' || (mode === 'negotiate' && prefersJson(accept));
}

/**
 * Whether an `Accept` header asks for JSON rather than a page. Only explicit media types count:
 * `application/json` must be acceptable (q > 0) and rank above `text/html` (and
 * `application/xhtml+xml`); on a tie the one listed first wins. `* / *` alone, a browser's
 * navigation header or no header at all means "a page", i.e. the redirect.
 */
export function prefersJson(accept: unknown): boolean {
  const header = Array.isArray(accept) ? accept.join(',') : accept;
  if (typeof header !== 'string' || header === '') {
    return false;
  }
  let json: { q: number; index: number } | undefined;
  let html: { q: number; index: number } | undefined;
  header.split(',').forEach((range, index) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) return;
    const entry = { q, index };
    if (type === 'application/json' && (json === undefined || q > json.q)) json = entry;
    if ((type === 'text/html' || type === 'application/xhtml+xml') && (html === undefined || q > html.q)) html = entry;
  });
  if (json === undefined || json.q <= 0) {
    return false;
  }
  if (html === undefined || json.q > html.q) {
    return true;
  }
  return json.q === html.q && json.index < html.index;
}
