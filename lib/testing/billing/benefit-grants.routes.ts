import type { Route } from '../emulator.router.js';
import { Issues } from '../emulator.validation.js';
import type { BillingStore, Resource } from './billing.store.js';
import {
  boolQuery,
  checkEnum,
  parsePagination,
  sendPage,
  sortByCriteria,
  throwIfAny,
  uuidFilter,
} from './billing.http.js';

const BENEFITS_READ = ['benefits:read', 'benefits:write'];
/** Polar's `BenefitGrantSortProperty`. */
const SORTING = ['created_at', '-created_at', 'granted_at', '-granted_at', 'revoked_at', '-revoked_at'] as const;

/** A grant as `GET /v1/benefit-grants/` lists it (BenefitGrant: the webhook's shape without `previous_properties`). */
function listed(store: BillingStore, grant: Resource): Resource {
  const { previous_properties: _previous, ...view } = store.grantView(grant as never);
  return view as Resource;
}

/** `GET /v1/benefit-grants/`: every grant of the organization, filtered by customer and granted status. */
export function benefitGrantRoutes(store: BillingStore): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/benefit-grants/',
      scopes: BENEFITS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const organizations = uuidFilter(ctx.query, 'organization_id', issues);
        const customerIds = uuidFilter(ctx.query, 'customer_id', issues);
        const isGranted = boolQuery(ctx.query, 'is_granted', issues);
        const sorting = ctx.query
          .getAll('sorting')
          .map((value, index) => checkEnum(value, SORTING, ['query', 'sorting', index], issues));
        throwIfAny(issues);
        const externalIds = ctx.query.getAll('external_customer_id');
        const organizationId = store.customers.organizationId;
        const byExternal = new Set(
          externalIds.flatMap((externalId) => store.customers.findByExternalId(externalId)?.id ?? []),
        );
        // One organization: a filter naming another one lists nothing.
        const ofOrganization = organizations === undefined || organizations.includes(organizationId);
        const matching = [...store.grants.values()]
          .filter(() => ofOrganization)
          .filter((grant) => customerIds === undefined || customerIds.includes(grant.customer_id))
          .filter((grant) => externalIds.length === 0 || byExternal.has(grant.customer_id))
          .filter((grant) => isGranted === null || grant.is_granted === isGranted)
          .map((grant, index) => ({ grant, index }));
        // The first criterion decides, insertion order breaking its ties (in its direction).
        const [order = '-created_at'] = sorting as string[];
        const grants = sortByCriteria(
          matching,
          [order],
          (a, b, field) =>
            String(a.grant[field] ?? '').localeCompare(String(b.grant[field] ?? '')) || a.index - b.index,
        ).map(({ grant }) => listed(store, grant));
        sendPage(ctx, grants, pagination);
      },
    },
  ];
}
