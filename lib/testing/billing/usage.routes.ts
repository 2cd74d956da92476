import { randomUUID } from 'node:crypto';
import { NotFoundFailure, ValidationFailure, sendJson } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { bodyObject } from '../customers.routes.js';
import {
  Issues,
  checkDatetime,
  checkMetadata,
  checkString,
  checkUuid4,
  isObject,
  type Loc,
} from '../emulator.validation.js';
import type {
  BillingStore,
  MeterAggregation,
  MeterClause,
  MeterFilter,
  StoredEvent,
  StoredMeter,
} from './billing.store.js';
import {
  billingRoute,
  checkEnum,
  checkObject,
  lookup,
  nullable,
  parsePagination,
  required,
  sendPage,
  throwIfAny,
  uuidFilter,
} from './billing.http.js';

const EVENTS_WRITE = ['events:write'];
const METERS_READ = ['meters:read', 'meters:write'];
const METERS_WRITE = ['meters:write'];
const CUSTOMER_METERS_READ = ['customer_meters:read'];
const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'like', 'not_like'] as const;
const FUNCS = ['count', 'sum', 'max', 'min', 'avg', 'unique'] as const;
const UNITS = ['scalar', 'token', 'custom'] as const;

function parseEvent(store: BillingStore, raw: unknown, loc: Loc, issues: Issues): StoredEvent | undefined {
  if (!checkObject(raw, loc, issues)) return undefined;
  const before = issues.items.length;
  let name: string | undefined;
  if (required(raw, 'name', loc, issues)) name = checkString(raw.name, [...loc, 'name'], issues, { max: 128 });
  let customerId: string | null = null;
  let externalCustomerId: string | null = null;
  if (raw.customer_id !== undefined) customerId = checkUuid4(raw.customer_id, [...loc, 'customer_id'], issues) ?? null;
  else if (raw.external_customer_id !== undefined)
    externalCustomerId = checkString(raw.external_customer_id, [...loc, 'external_customer_id'], issues) ?? null;
  else issues.add('missing', [...loc, 'external_customer_id'], 'Field required', raw);
  const externalId = nullable(raw.external_id, [...loc, 'external_id'], issues, checkString);
  const metadata = raw.metadata === undefined ? {} : checkMetadata(raw.metadata, [...loc, 'metadata'], issues);
  let timestamp = store.now();
  if (raw.timestamp !== undefined) {
    const parsed = checkDatetime(raw.timestamp, [...loc, 'timestamp'], issues);
    if (parsed !== undefined && parsed.getTime() > store.clock().getTime())
      issues.add('value_error', [...loc, 'timestamp'], 'Value error, Timestamp must be in the past.', raw.timestamp);
    else if (parsed !== undefined) timestamp = parsed.toISOString();
  }
  if (issues.items.length !== before) return undefined;
  return {
    id: randomUUID(),
    timestamp,
    name: name!,
    organization_id: store.customers.organizationId,
    customer_id: customerId,
    external_customer_id: externalCustomerId,
    external_id: externalId,
    metadata: metadata!,
    source: 'user',
  };
}

function parseFilter(raw: unknown, loc: Loc, issues: Issues): MeterFilter | undefined {
  if (!checkObject(raw, loc, issues)) return undefined;
  const before = issues.items.length;
  let conjunction: 'and' | 'or' | undefined;
  if (required(raw, 'conjunction', loc, issues))
    conjunction = checkEnum(raw.conjunction, ['and', 'or'] as const, [...loc, 'conjunction'], issues);
  const clauses: (MeterClause | MeterFilter)[] = [];
  if (required(raw, 'clauses', loc, issues)) {
    if (!Array.isArray(raw.clauses))
      issues.add('list_type', [...loc, 'clauses'], 'Input should be a valid list', raw.clauses);
    else
      raw.clauses.forEach((clause: unknown, index: number) => {
        const at = [...loc, 'clauses', index];
        if (isObject(clause) && 'conjunction' in clause) {
          const nested = parseFilter(clause, [...at, 'Filter'], issues);
          if (nested) clauses.push(nested);
          return;
        }
        if (!checkObject(clause, [...at, 'FilterClause'], issues)) return;
        const clauseLoc = [...at, 'FilterClause'];
        const property = required(clause, 'property', clauseLoc, issues)
          ? checkString(clause.property, [...clauseLoc, 'property'], issues)
          : undefined;
        const operator = required(clause, 'operator', clauseLoc, issues)
          ? checkEnum(clause.operator, OPERATORS, [...clauseLoc, 'operator'], issues)
          : undefined;
        const value = clause.value;
        if (value === undefined) issues.add('missing', [...clauseLoc, 'value'], 'Field required', clause);
        else if (!['string', 'number', 'boolean'].includes(typeof value))
          issues.add('string_type', [...clauseLoc, 'value', 'str'], 'Input should be a valid string', value);
        if (property !== undefined && operator !== undefined && value !== undefined)
          clauses.push({ property, operator, value: value as string | number | boolean });
      });
  }
  return issues.items.length === before ? { conjunction: conjunction!, clauses } : undefined;
}

function parseAggregation(raw: unknown, issues: Issues): MeterAggregation | undefined {
  const loc: Loc = ['body', 'aggregation'];
  if (!checkObject(raw, loc, issues)) return undefined;
  const func = checkEnum(raw.func, FUNCS, [...loc, 'func'], issues);
  if (func === undefined) return undefined;
  if (func === 'count') return { func };
  const at = [...loc, func];
  if (!required(raw, 'property', at, issues)) return undefined;
  const property = checkString(raw.property, [...at, 'property'], issues);
  return property === undefined ? undefined : { func, property };
}

function parseMeterCreate(store: BillingStore, raw: unknown): StoredMeter {
  const body = bodyObject(raw);
  const issues = new Issues();
  const name = required(body, 'name', ['body'], issues)
    ? checkString(body.name, ['body', 'name'], issues, { min: 3 })
    : undefined;
  const filter = required(body, 'filter', ['body'], issues)
    ? parseFilter(body.filter, ['body', 'filter'], issues)
    : undefined;
  const aggregation = required(body, 'aggregation', ['body'], issues)
    ? parseAggregation(body.aggregation, issues)
    : undefined;
  const unit = body.unit === undefined ? 'scalar' : checkEnum(body.unit, UNITS, ['body', 'unit'], issues);
  const metadata = body.metadata === undefined ? {} : checkMetadata(body.metadata, ['body', 'metadata'], issues);
  throwIfAny(issues);
  return {
    metadata: metadata!,
    ...store.stamp(),
    name: name!,
    unit: unit!,
    custom_label: null,
    custom_multiplier: null,
    filter: filter!,
    aggregation: aggregation!,
    organization_id: store.customers.organizationId,
    archived_at: null,
  };
}

function meterView(store: BillingStore, meter: StoredMeter): Record<string, unknown> {
  return structuredClone({ ...meter });
}

/** Routes of `/v1/events/ingest`, `/v1/meters/` and `/v1/customer-meters/`. */
export function usageRoutes(store: BillingStore): Route[] {
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: '/v1/events/ingest',
      scopes: EVENTS_WRITE,
      handle: (ctx) => {
        const body = bodyObject(ctx.body);
        const issues = new Issues();
        if (!required(body, 'events', ['body'], issues)) throwIfAny(issues);
        if (!Array.isArray(body.events)) {
          issues.add('list_type', ['body', 'events'], 'Input should be a valid list', body.events);
          throwIfAny(issues);
        }
        const events = (body.events as unknown[]).map((event, index) =>
          parseEvent(store, event, ['body', 'events', index], issues),
        );
        throwIfAny(issues);
        // Polar (event service) rejects the whole batch when an event names a customer id it does not know.
        (events as StoredEvent[]).forEach((event, index) => {
          if (event.customer_id !== null && !store.customers.findById(event.customer_id))
            issues.add(
              'customer_id',
              ['body', 'events', index, 'customer_id'],
              'Customer not found.',
              event.customer_id,
            );
        });
        if (!issues.empty) throw new ValidationFailure(issues.items, 'PolarRequestValidationError');
        sendJson(ctx, 200, store.ingest(events as StoredEvent[]));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/meters/',
      scopes: METERS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        throwIfAny(issues);
        const text = ctx.query.get('query')?.toLowerCase();
        const items = [...store.meters.values()]
          .filter((meter) => !text || meter.name.toLowerCase().includes(text))
          .reverse()
          .map((meter) => meterView(store, meter));
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/meters/',
      scopes: METERS_WRITE,
      handle: (ctx) => sendJson(ctx, 201, meterView(store, store.addMeter(parseMeterCreate(store, ctx.body)))),
    },
    {
      method: 'GET',
      pattern: '/v1/meters/:id',
      scopes: METERS_READ,
      handle: (ctx) => sendJson(ctx, 200, meterView(store, lookup(store.meters, ctx))),
    },
    {
      method: 'GET',
      pattern: '/v1/customer-meters/',
      scopes: CUSTOMER_METERS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const customers = uuidFilter(ctx.query, 'customer_id', issues);
        const meters = uuidFilter(ctx.query, 'meter_id', issues);
        throwIfAny(issues);
        const external = ctx.query.getAll('external_customer_id');
        const items = store
          .allCustomerMeters()
          .filter((entry) => !customers || customers.includes(entry.customer_id as string))
          .filter((entry) => !meters || meters.includes(entry.meter_id as string))
          .filter(
            (entry) =>
              external.length === 0 ||
              external.includes(String((entry.customer as { external_id: string | null }).external_id)),
          );
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/customer-meters/:id',
      scopes: CUSTOMER_METERS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const id = checkUuid4(ctx.params.id, ['path', 'id'], issues);
        throwIfAny(issues);
        const entry = store.allCustomerMeters().find((candidate) => candidate.id === id);
        if (!entry) throw new NotFoundFailure();
        sendJson(ctx, 200, entry);
      },
    },
  ];
  return routes.map(billingRoute);
}
