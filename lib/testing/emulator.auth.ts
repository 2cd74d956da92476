import { sendJson, type RequestContext } from './emulator.http.js';

/** Every scope the emulated endpoints check; the default token has them all. */
export const ALL_SCOPES = [
  'customers:read',
  'customers:write',
  'customer_sessions:write',
  'members:read',
  'members:write',
  'products:read',
  'products:write',
  'benefits:read',
  'benefits:write',
  'checkouts:read',
  'checkouts:write',
  'subscriptions:read',
  'subscriptions:write',
  'orders:read',
  'orders:write',
  'events:read',
  'events:write',
  'meters:read',
  'meters:write',
  'customer_meters:read',
  'refunds:read',
  'refunds:write',
  'license_keys:read',
  'license_keys:write',
  'discounts:read',
  'discounts:write',
  'disputes:read',
  'disputes:write',
  'customer_seats:read',
  'customer_seats:write',
] as const;

/** Organization access tokens and their scopes. */
export class EmulatorTokens {
  private readonly tokens = new Map<string, Set<string>>();

  add(token: string, scopes: readonly string[]): void {
    if (typeof token !== 'string' || token.length === 0)
      throw new TypeError('addToken: token must be a non-empty string');
    this.tokens.set(token, new Set(scopes));
  }

  /** Whether `token` is one of the organization's access tokens. */
  knows(token: string): boolean {
    return this.tokens.has(token);
  }

  /**
   * Checks the bearer token against the route's scopes and answers 401/403 exactly as Polar does.
   * Returns true when the request may proceed.
   */
  authorize(ctx: RequestContext, scopes: readonly string[]): boolean {
    const header = ctx.req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      sendJson(
        ctx,
        401,
        { error: 'Unauthorized', detail: 'Unauthorized' },
        { 'www-authenticate': 'Bearer realm="polar"' },
      );
      return false;
    }
    const granted = this.tokens.get(match[1]);
    if (!granted) {
      sendJson(ctx, 401, {
        error: 'invalid_token',
        error_description: 'The access token provided is expired, revoked, malformed, or invalid for other reasons.',
      });
      return false;
    }
    if (!scopes.some((scope) => granted.has(scope))) {
      sendJson(ctx, 403, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
      });
      return false;
    }
    return true;
  }
}
