import { NotFoundFailure, sendJson, type RequestContext } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { Issues, checkUuid4 } from '../emulator.validation.js';
import type { BillingStore, StoredLicenseKey } from './billing.store.js';
import { billingRoute, parsePagination, sendPage, throwIfAny, uuidFilter } from './billing.http.js';
import { activationView } from './license-keys.routes.js';

/** Who a customer-portal request speaks for: a customer session (`polar_cst_`) or a member session (`polar_mst_`). */
interface PortalSubject {
  customerId: string;
  memberId: string | null;
}

/**
 * Polar's customer-portal authentication: a valid customer or member session token; a valid organization token is
 * a subject the route does not allow (401 Unauthorized), an unknown token 401 `invalid_token`.
 */
function portalSubject(
  store: BillingStore,
  isOrganizationToken: (token: string) => boolean,
  ctx: RequestContext,
): PortalSubject | undefined {
  const header = ctx.req.headers.authorization;
  const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  const session = token ? store.customers.findSession(token) : undefined;
  if (session) return { customerId: session.customerId, memberId: session.memberId };
  if (token && !isOrganizationToken(token)) {
    sendJson(ctx, 401, {
      error: 'invalid_token',
      error_description: 'The access token provided is expired, revoked, malformed, or invalid for other reasons.',
    });
    return undefined;
  }
  sendJson(ctx, 401, { error: 'Unauthorized', detail: 'Unauthorized' }, { 'www-authenticate': 'Bearer realm="polar"' });
  return undefined;
}

/**
 * The keys a portal subject sees (Polar's `get_customer_statement`): a customer session the customer's keys, a
 * member session the keys issued to that member — none here, as the emulator issues keys to customers.
 */
function keysOf(store: BillingStore, subject: PortalSubject): StoredLicenseKey[] {
  if (subject.memberId !== null) return [];
  return [...store.licenseKeys.values()].filter((key) => key.customer_id === subject.customerId);
}

/** `GET /v1/customer-portal/license-keys/` and `/{id}`: the signed-in customer's own keys, oldest first. */
export function portalLicenseKeyRoutes(store: BillingStore, isOrganizationToken: (token: string) => boolean): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/customer-portal/license-keys/',
      scopes: null,
      handle: (ctx) => {
        const subject = portalSubject(store, isOrganizationToken, ctx);
        if (!subject) return;
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const benefits = uuidFilter(ctx.query, 'benefit_id', issues);
        throwIfAny(issues);
        const items = keysOf(store, subject)
          .filter((key) => !benefits || benefits.includes(key.benefit_id))
          .map((key) => store.licenseKeyView(key));
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/customer-portal/license-keys/:id',
      scopes: null,
      handle: (ctx) => {
        const subject = portalSubject(store, isOrganizationToken, ctx);
        if (!subject) return;
        const issues = new Issues();
        const id = checkUuid4(ctx.params.id, ['path', 'id'], issues);
        throwIfAny(issues);
        const key = keysOf(store, subject).find((candidate) => candidate.id === id);
        if (!key) throw new NotFoundFailure();
        sendJson(ctx, 200, {
          ...store.licenseKeyView(key),
          activations: store.keyActivations(key).map(activationView),
        });
      },
    },
  ];
  return routes.map(billingRoute);
}
