import { NotFoundFailure, ValidationFailure, sendJson, sendText, type RequestContext } from './emulator.http.js';
import type { CustomerCreateInput, CustomerListQuery, EmulatorStore } from './emulator.store.js';
import type { PolarEmulatorCustomer } from './emulator.types.js';
import {
  Issues,
  checkAddress,
  checkEmail,
  checkLocale,
  checkMetadata,
  checkOptionalText,
  checkString,
  checkUuid4,
  isObject,
  pythonJsonDumps,
  type Loc,
  refuseOrganizationId,
} from './emulator.validation.js';
import type { Route } from './emulator.router.js';
import { validateTaxId } from '../customers/dto/polar-tax-id.rules.js';

const READ = ['customers:read', 'customers:write'];
const WRITE = ['customers:write'];
const SORT_FIELDS = new Set(['created_at', '-created_at', 'email', '-email', 'name', '-name']);

/** The body as an object, or the 422 FastAPI gives for a missing or non-object body. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined)
    throw new ValidationFailure([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  if (!isObject(body)) {
    throw new ValidationFailure([
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: body,
      },
    ]);
  }
  return body;
}

function parseCreate(raw: unknown): CustomerCreateInput {
  const body = bodyObject(raw);
  const issues = new Issues();
  let type: 'individual' | 'team' = 'individual';
  if (body.type !== undefined) {
    if (body.type === 'individual' || body.type === 'team') type = body.type;
    else
      issues.add('literal_error', ['body', 'type'], "Input should be 'individual' or 'team'", body.type, {
        expected: "'individual' or 'team'",
      });
  }
  let email: string | null = null;
  if (body.email === undefined || body.email === null) {
    if (type === 'individual') issues.add('missing', ['body', 'email'], 'Field required', body);
  } else {
    email = checkEmail(body.email, ['body', 'email'], issues) ?? null;
  }
  const input: CustomerCreateInput = {
    type,
    email,
    external_id:
      body.external_id === undefined
        ? null
        : (checkOptionalText(body.external_id, ['body', 'external_id'], issues, { trim: true }) ?? null),
    name:
      body.name === undefined ? null : (checkOptionalText(body.name, ['body', 'name'], issues, { max: 256 }) ?? null),
    metadata: body.metadata === undefined ? {} : (checkMetadata(body.metadata, ['body', 'metadata'], issues) ?? {}),
    billing_address:
      body.billing_address === undefined || body.billing_address === null
        ? null
        : (checkAddress(body.billing_address, ['body', 'billing_address'], issues) ?? null),
    tax_id: null,
    locale: body.locale === undefined ? null : (checkLocale(body.locale, ['body', 'locale'], issues) ?? null),
    owner: null,
  };
  let taxId: string | null = null;
  if (body.tax_id !== undefined && body.tax_id !== null)
    taxId = checkString(body.tax_id, ['body', 'tax_id'], issues) ?? null;
  if (body.owner !== undefined && body.owner !== null) input.owner = parseOwner(body.owner, ['body', 'owner'], issues);
  if (body.organization_id !== undefined && body.organization_id !== null)
    checkUuid4(body.organization_id, ['body', 'organization_id'], issues);
  if (!issues.empty) throw new ValidationFailure(issues.items);

  refuseOrganizationId(body);
  if (type === 'team' && email === null && input.owner === null) {
    throw ValidationFailure.polar('owner', 'Owner is required for team customers without an email.', null, 'missing');
  }
  if (taxId) input.tax_id = resolveTaxId(taxId, input.billing_address);
  return input;
}

/** Polar's tax ID check against the billing country (on update, the stored address when none is sent). */
function resolveTaxId(taxId: string, address: PolarEmulatorCustomer['billing_address']): [string, string] {
  if (!address)
    throw ValidationFailure.polar('billing_address', 'Country is required to validate tax ID.', null, 'missing');
  const pair = validateTaxId(taxId, address.country);
  if (!pair) throw ValidationFailure.polar('tax_id', 'Invalid tax ID.', taxId, 'invalid');
  return pair;
}

function parseOwner(raw: unknown, loc: Loc, issues: Issues): CustomerCreateInput['owner'] {
  if (!isObject(raw)) {
    issues.add(
      'model_attributes_type',
      loc,
      'Input should be a valid dictionary or object to extract fields from',
      raw,
    );
    return null;
  }
  let email: string | undefined;
  if (raw.email === undefined) issues.add('missing', [...loc, 'email'], 'Field required', raw);
  else email = checkEmail(raw.email, [...loc, 'email'], issues);
  const name =
    raw.name === undefined ? null : (checkOptionalText(raw.name, [...loc, 'name'], issues, { max: 256 }) ?? null);
  const externalId =
    raw.external_id === undefined
      ? null
      : (checkOptionalText(raw.external_id, [...loc, 'external_id'], issues, { trim: true }) ?? null);
  return email ? { email, name, external_id: externalId } : null;
}

function parseUpdate(
  raw: unknown,
  customer: PolarEmulatorCustomer,
  byExternalId: boolean,
): { patch: Partial<PolarEmulatorCustomer>; billingAddressReset: boolean; taxId: string | null | undefined } {
  const body = bodyObject(raw);
  const issues = new Issues();
  const patch: Partial<PolarEmulatorCustomer> = {};
  // Explicit null means "no change" for email; an individual customer always keeps one.
  if (body.email !== undefined && body.email !== null) {
    const email = checkEmail(body.email, ['body', 'email'], issues);
    if (email !== undefined) patch.email = email;
  }
  if (body.name !== undefined) {
    const name = checkOptionalText(body.name, ['body', 'name'], issues, { max: 256 });
    if (name !== undefined) patch.name = name;
  }
  // `metadata` is a non-null dict: an explicit null is pydantic's dict_type error.
  if (body.metadata !== undefined) {
    const metadata = checkMetadata(body.metadata, ['body', 'metadata'], issues);
    if (metadata !== undefined) patch.metadata = metadata;
  }
  const billingAddressReset = body.billing_address === null;
  if (body.billing_address !== undefined && body.billing_address !== null) {
    const address = checkAddress(body.billing_address, ['body', 'billing_address'], issues);
    if (address !== undefined) patch.billing_address = address;
  }
  let taxId: string | null | undefined;
  if (body.tax_id === null) taxId = null;
  else if (body.tax_id !== undefined) taxId = checkString(body.tax_id, ['body', 'tax_id'], issues);
  if (body.locale !== undefined) {
    const locale = checkLocale(body.locale, ['body', 'locale'], issues);
    if (locale !== undefined) patch.locale = locale;
  }
  // The by-external-id form (CustomerUpdateExternalID) has no external_id or type fields.
  if (!byExternalId && body.external_id !== undefined) {
    const externalId = checkOptionalText(body.external_id, ['body', 'external_id'], issues, { trim: true });
    if (externalId !== undefined) patch.external_id = externalId;
  }
  // `type: null` is "set", and so a downgrade for a team customer.
  if (!byExternalId && body.type === null && customer.type === 'team') patch.type = null as never;
  if (!byExternalId && body.type !== undefined && body.type !== null) {
    if (body.type === 'individual' || body.type === 'team') patch.type = body.type;
    else
      issues.add('enum', ['body', 'type'], "Input should be 'individual' or 'team'", body.type, {
        expected: "'individual' or 'team'",
      });
  }
  if (!issues.empty) throw new ValidationFailure(issues.items);

  if (patch.external_id === null && customer.external_id === null) delete patch.external_id;
  return { patch, billingAddressReset, taxId };
}

/** Polar's tax ID rules on update: a new one is checked against the new or stored address, a stored one against a new address. */
function resolveUpdatedTaxId(
  customer: PolarEmulatorCustomer,
  patch: Partial<PolarEmulatorCustomer>,
  taxId: string | null | undefined,
): void {
  if (taxId === null) patch.tax_id = null;
  else if (taxId) patch.tax_id = resolveTaxId(taxId, patch.billing_address ?? customer.billing_address);
  else if (patch.billing_address && customer.tax_id) {
    const pair = validateTaxId(customer.tax_id[0], patch.billing_address.country);
    if (!pair) throw ValidationFailure.polar('tax_id', 'Invalid tax ID.', customer.tax_id[0], 'invalid');
    patch.tax_id = pair;
  }
}

/** A `page`/`limit` query parameter: an integer above 0 (pydantic's errors otherwise). */
function parsePositiveInt(name: string, raw: string | null, fallback: number, issues: Issues): number {
  if (raw === null) return fallback;
  if (!/^[+-]?\d+$/.test(raw.trim())) {
    issues.add(
      'int_parsing',
      ['query', name],
      'Input should be a valid integer, unable to parse string as an integer',
      raw,
    );
    return fallback;
  }
  const value = Number(raw);
  if (value <= 0) {
    issues.add('greater_than', ['query', name], 'Input should be greater than 0', raw, { gt: 0 });
    return fallback;
  }
  return value;
}

/** The `organization_id` filter (one or more uuid4s); `undefined` when absent. */
function parseOrganizationIds(query: URLSearchParams, issues: Issues): string[] | undefined {
  const organizationIds = query.getAll('organization_id');
  organizationIds.forEach((value, index) => checkUuid4(value, ['query', 'organization_id', index], issues));
  return organizationIds.length > 0 ? organizationIds : undefined;
}

/** Polar's `page`/`limit` pagination query: integers above 0, the limit silently capped at 100. */
export function parsePagination(query: URLSearchParams, issues: Issues): { page: number; limit: number } {
  const page = parsePositiveInt('page', query.get('page'), 1, issues);
  const limit = Math.min(parsePositiveInt('limit', query.get('limit'), 10, issues), 100);
  return { page, limit };
}

function parseList(query: URLSearchParams): CustomerListQuery {
  const issues = new Issues();
  const { page, limit } = parsePagination(query, issues);
  const sorting = query.getAll('sorting');
  sorting.forEach((value, index) => {
    if (!SORT_FIELDS.has(value)) {
      issues.add(
        'enum',
        ['query', 'sorting', index],
        "Input should be 'created_at', '-created_at', 'email', '-email', 'name' or '-name'",
        value,
        {
          expected: "'created_at', '-created_at', 'email', '-email', 'name' or '-name'",
        },
      );
    }
  });
  const organizationIds = parseOrganizationIds(query, issues);
  const active = query.get('active');
  let activeFilter: boolean | undefined;
  if (active !== null) {
    const value = active.toLowerCase();
    if (['true', '1', 'yes', 'on', 't', 'y'].includes(value)) activeFilter = true;
    else if (['false', '0', 'no', 'off', 'f', 'n'].includes(value)) activeFilter = false;
    else
      issues.add(
        'bool_parsing',
        ['query', 'active'],
        'Input should be a valid boolean, unable to interpret input',
        active,
      );
  }
  if (!issues.empty) throw new ValidationFailure(issues.items);
  const metadata = new Map<string, string[]>();
  for (const [key, value] of query) {
    const match = /^metadata\[(.+)\]$/.exec(key);
    if (match) metadata.set(match[1], [...(metadata.get(match[1]) ?? []), value]);
  }
  return {
    page,
    limit,
    sorting: sorting.length > 0 ? sorting : ['-created_at'],
    email: query.get('email') ?? undefined,
    query: query.get('query') ?? undefined,
    organizationIds,
    metadata,
    active: activeFilter,
  };
}

function parseAnonymize(query: URLSearchParams): boolean {
  const raw = query.get('anonymize');
  if (raw === null) return false;
  const value = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ValidationFailure([
    {
      type: 'bool_parsing',
      loc: ['query', 'anonymize'],
      msg: 'Input should be a valid boolean, unable to interpret input',
      input: raw,
    },
  ]);
}

/** Resolves `{id}` (uuid4, 422 otherwise) or `{external_id}` to a live customer, 404 otherwise. */
export function lookupCustomer(store: EmulatorStore, ctx: RequestContext): PolarEmulatorCustomer {
  if (ctx.params.external_id !== undefined) {
    const customer = store.findByExternalId(ctx.params.external_id);
    if (!customer) throw new NotFoundFailure();
    return customer;
  }
  const issues = new Issues();
  const id = checkUuid4(ctx.params.id, ['path', 'id'], issues);
  if (!id) throw new ValidationFailure(issues.items);
  const customer = store.findById(id);
  if (!customer) throw new NotFoundFailure();
  return customer;
}

/** A field as Python's `csv` writer (excel dialect, minimal quoting) writes it; `null` is empty. */
function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** `datetime.isoformat()`: microseconds and `+00:00` rather than JavaScript's milliseconds and `Z`. */
function pythonIsoformat(iso: string): string {
  return iso.replace(/(\.\d{3})Z$/, '$1000+00:00').replace(/Z$/, '+00:00');
}

const EXPORT_COLUMNS = [
  'ID',
  'External ID',
  'Created At',
  'Email',
  'Name',
  'Tax ID',
  'Billing Address Line 1',
  'Billing Address Line 2',
  'Billing Address City',
  'Billing Address State',
  'Billing Address Zip',
  'Billing Address Country',
  'Metadata',
];

/** One CSV row of Polar's export; the tax ID is Python's `str()` of its (value, format) tuple, as Polar writes it. */
function exportRow(customer: PolarEmulatorCustomer): (string | null)[] {
  const address = customer.billing_address;
  const taxId = customer.tax_id
    ? `('${customer.tax_id[0]}', <TaxIDFormat.${customer.tax_id[1]}: '${customer.tax_id[1]}'>)`
    : null;
  return [
    customer.id,
    customer.external_id,
    pythonIsoformat(customer.created_at),
    customer.email,
    customer.name,
    taxId,
    address?.line1 ?? null,
    address?.line2 ?? null,
    address?.city ?? null,
    address?.state ?? null,
    address?.postal_code ?? null,
    address?.country ?? null,
    Object.keys(customer.metadata).length > 0 ? pythonJsonDumps(customer.metadata) : null,
  ];
}

/** `GET /v1/customers/export`: every live customer of the organization(s), as Polar's CSV download. */
function exportCsv(store: EmulatorStore, ctx: RequestContext): void {
  const issues = new Issues();
  const organizationIds = parseOrganizationIds(ctx.query, issues);
  if (!issues.empty) throw new ValidationFailure(issues.items);
  const { items } = store.list({
    page: 1,
    limit: Number.MAX_SAFE_INTEGER,
    sorting: ['created_at'],
    organizationIds,
    metadata: new Map(),
  });
  const lines = [EXPORT_COLUMNS, ...items.map(exportRow)].map((row) => `${row.map(csvField).join(',')}\r\n`);
  sendText(ctx, 200, lines.join(''), 'text/csv; charset=utf-8', {
    'content-disposition': 'attachment; filename="polar-customers.csv"',
  });
}

/** The saved payment methods of a customer: always none, since the emulator settles payments at once. */
function listPaymentMethods(store: EmulatorStore, ctx: RequestContext): void {
  const issues = new Issues();
  if (ctx.params.external_id === undefined) checkUuid4(ctx.params.id, ['path', 'id'], issues);
  parsePagination(ctx.query, issues);
  if (!issues.empty) throw new ValidationFailure(issues.items);
  lookupCustomer(store, ctx);
  sendJson(ctx, 200, { items: [], pagination: { total_count: 0, max_page: 0 } });
}

/** Routes of `/v1/customers/`. */
export function customerRoutes(store: EmulatorStore): Route[] {
  const byId = '/v1/customers/:id';
  const byExternal = '/v1/customers/external/:external_id';
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/customers/',
      scopes: READ,
      handle: (ctx) => {
        const query = parseList(ctx.query);
        const { items, total } = store.list(query);
        sendJson(ctx, 200, {
          items: structuredClone(items),
          pagination: { total_count: total, max_page: Math.ceil(total / query.limit) },
        });
      },
    },
    // Before `/:id`, which would otherwise read "export" as a customer ID.
    { method: 'GET', pattern: '/v1/customers/export', scopes: READ, handle: (ctx) => exportCsv(store, ctx) },
    {
      method: 'POST',
      pattern: '/v1/customers/',
      scopes: WRITE,
      handle: (ctx) => {
        const customer = store.create(parseCreate(ctx.body));
        sendJson(ctx, 201, structuredClone(customer));
      },
    },
  ];
  for (const pattern of [byExternal, byId]) {
    const external = pattern === byExternal;
    routes.push(
      {
        method: 'GET',
        pattern: `${pattern}/payment-methods`,
        scopes: READ,
        handle: (ctx) => listPaymentMethods(store, ctx),
      },
      {
        method: 'GET',
        pattern: `${pattern}/state`,
        scopes: READ,
        handle: (ctx) => sendJson(ctx, 200, store.state(lookupCustomer(store, ctx))),
      },
      {
        method: 'GET',
        pattern,
        scopes: READ,
        handle: (ctx) => sendJson(ctx, 200, structuredClone(lookupCustomer(store, ctx))),
      },
      {
        method: 'PATCH',
        pattern,
        scopes: WRITE,
        handle: (ctx) => {
          const customer = lookupCustomer(store, ctx);
          const { patch, billingAddressReset, taxId } = parseUpdate(ctx.body, customer, external);
          store.checkUpdate(customer, patch, billingAddressReset);
          resolveUpdatedTaxId(customer, patch, taxId);
          const updated = store.update(customer, patch);
          sendJson(ctx, 200, structuredClone(updated));
        },
      },
      {
        method: 'DELETE',
        pattern,
        scopes: WRITE,
        handle: (ctx) => {
          const anonymize = parseAnonymize(ctx.query);
          store.delete(lookupCustomer(store, ctx), anonymize);
          sendJson(ctx, 204);
        },
      },
    );
  }
  return routes;
}
