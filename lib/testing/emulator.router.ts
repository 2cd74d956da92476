import type { RequestContext } from './emulator.http.js';

/** One emulated endpoint. */
export interface Route {
  method: string;
  /** Path with `:name` segments, e.g. `/v1/customers/:id`; a trailing slash is optional on match. */
  pattern: string;
  /** Any one of these scopes grants access; `null` for pages that need no API token. */
  scopes: string[] | null;
  handle(ctx: RequestContext): void | Promise<void>;
}

/** Result of matching a path against the route table. */
export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

function segments(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/');
}

/**
 * Decodes the whole path before routing, as uvicorn does for Polar's server (Python's `unquote`): a bad `%` escape
 * stays as written, bad UTF-8 becomes U+FFFD, and `%2F` becomes a `/` that separates segments.
 */
function decodePath(path: string): string {
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (got[i] === '') return undefined;
      params[want[i].slice(1)] = got[i];
    } else if (want[i] !== got[i]) {
      return undefined;
    }
  }
  return params;
}

/** Finds the route for a request; literal routes are listed before parameterised ones. */
export function matchRoute(routes: Route[], method: string, path: string): RouteMatch {
  let pathKnown = false;
  const decoded = decodePath(path);
  for (const route of routes) {
    const params = matchPattern(route.pattern, decoded);
    if (!params) continue;
    if (route.method === method) return { kind: 'found', route, params };
    pathKnown = true;
  }
  return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}
