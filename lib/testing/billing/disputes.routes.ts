import { sendJson } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { Issues } from '../emulator.validation.js';
import type { BillingStore, DisputeStatus, StoredDispute } from './billing.store.js';
import {
  BillingFailure,
  billingRoute,
  checkEnum,
  lookup,
  parsePagination,
  sendPage,
  sortByCriteria,
  throwIfAny,
  uuidFilter,
} from './billing.http.js';

const DISPUTES_READ = ['disputes:read', 'disputes:write'];
const DISPUTES_WRITE = ['disputes:write'];
const STATUSES: readonly DisputeStatus[] = [
  'prevented',
  'early_warning',
  'needs_response',
  'under_review',
  'lost',
  'won',
];
const SORTINGS = ['created_at', '-created_at', 'amount', '-amount'] as const;

/** Polar's DisputeNotOpenError (409): only a dispute awaiting a response can be accepted. */
export class DisputeNotOpen extends BillingFailure {
  constructor(dispute: StoredDispute) {
    super(409, { error: 'DisputeNotOpenError', detail: `Dispute ${dispute.id} is not awaiting a response.` });
  }
}

/** Orders disputes by the `sorting` criteria, as Polar's repository sorts them (`created_at`: insertion order). */
function sortDisputes(disputes: StoredDispute[], sorting: string[]): StoredDispute[] {
  const keyed = disputes.map((dispute, index) => ({ dispute, index }));
  return sortByCriteria(keyed, sorting, (a, b, field) =>
    field === 'amount' ? a.dispute.amount - b.dispute.amount : a.index - b.index,
  ).map(({ dispute }) => dispute);
}

/** Routes of `/v1/disputes/`: list, get, and accept (concede the chargeback: `lost`, benefits revoked). */
export function disputeRoutes(store: BillingStore): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/disputes/',
      scopes: DISPUTES_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const orders = uuidFilter(ctx.query, 'order_id', issues);
        uuidFilter(ctx.query, 'organization_id', issues);
        const organizations = ctx.query.getAll('organization_id');
        const statuses = ctx.query.getAll('status');
        statuses.forEach((status, index) => checkEnum(status, STATUSES, ['query', 'status', index], issues));
        const sorting = ctx.query.getAll('sorting');
        sorting.forEach((value, index) => checkEnum(value, SORTINGS, ['query', 'sorting', index], issues));
        throwIfAny(issues);
        const items = [...store.disputes.values()]
          .filter(() => organizations.length === 0 || organizations.includes(store.customers.organizationId))
          .filter((d) => !orders || orders.includes(d.order_id))
          .filter((d) => statuses.length === 0 || statuses.includes(d.status));
        const sorted = sortDisputes(items, sorting.length > 0 ? sorting : ['-created_at']);
        sendPage(
          ctx,
          sorted.map((dispute) => store.disputeView(dispute)),
          pagination,
        );
      },
    },
    {
      method: 'GET',
      pattern: '/v1/disputes/:id',
      scopes: DISPUTES_READ,
      handle: (ctx) => sendJson(ctx, 200, store.disputeView(lookup(store.disputes, ctx))),
    },
    {
      method: 'POST',
      pattern: '/v1/disputes/:id/accept',
      scopes: DISPUTES_WRITE,
      handle: (ctx) => {
        const dispute = lookup(store.disputes, ctx);
        if (dispute.status !== 'needs_response') throw new DisputeNotOpen(dispute);
        sendJson(ctx, 200, store.disputeView(store.settleDispute(dispute, 'lost')));
      },
    },
  ];
  return routes.map(billingRoute);
}
