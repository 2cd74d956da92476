import { NotFoundFailure, ValidationFailure, sendJson, type RequestContext } from '../emulator.http.js';
import { Issues, checkUuid4, isObject, type Loc } from '../emulator.validation.js';
import type { Route } from '../emulator.router.js';

/** Polar's `page`/`limit` query: one parser for the customer and the billing routes. */
export { parsePagination } from '../customers.routes.js';

/** A Polar error answer other than 404/422 (e.g. 403 AlreadyActiveSubscriptionError). */
export class BillingFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; detail: string },
  ) {
    super(body.detail);
  }
}

/** Wraps a route handler so a BillingFailure answers its status and body. */
export function billingRoute(route: Route): Route {
  return {
    ...route,
    handle: async (ctx) => {
      try {
        await route.handle(ctx);
      } catch (error) {
        if (error instanceof BillingFailure) return sendJson(ctx, error.status, error.body);
        throw error;
      }
    },
  };
}

/** One page of `items` (newest first) in Polar's list shape. */
export function sendPage<T>(ctx: RequestContext, items: T[], pagination: { page: number; limit: number }): void {
  const start = (pagination.page - 1) * pagination.limit;
  sendJson(ctx, 200, {
    items: structuredClone(items.slice(start, start + pagination.limit)),
    pagination: { total_count: items.length, max_page: Math.ceil(items.length / pagination.limit) },
  });
}

/** Repeated uuid4 query filters (`?product_id=a&product_id=b`); 422 on a malformed one. */
export function uuidFilter(query: URLSearchParams, name: string, issues: Issues): string[] | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  return values.map((value, index) => checkUuid4(value, ['query', name, index], issues) ?? value);
}

/** A boolean query filter (`?active=true`): null when absent; pydantic's `bool_parsing` 422 otherwise. */
export function boolQuery(query: URLSearchParams, name: string, issues: Issues): boolean | null {
  const value = query.get(name);
  if (value === null) return null;
  if (value === 'true' || value === 'false') return value === 'true';
  issues.add('bool_parsing', ['query', name], 'Input should be a valid boolean, unable to interpret input', value);
  return null;
}

/** The `{id}` path parameter (uuid4) resolved in `map`; 422 when malformed, 404 when unknown. */
export function lookup<T>(map: Map<string, T>, ctx: RequestContext): T {
  const issues = new Issues();
  const id = checkUuid4(ctx.params.id, ['path', 'id'], issues);
  if (!id) throw new ValidationFailure(issues.items);
  const found = map.get(id);
  if (found === undefined) throw new NotFoundFailure();
  return found;
}

/** pydantic's answer for a value outside an enum. */
export function checkEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  loc: Loc,
  issues: Issues,
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const expected = allowed
    .map((item) => `'${item}'`)
    .join(', ')
    .replace(/, ([^,]*)$/, ' or $1');
  issues.add('enum', loc, `Input should be ${expected}`, value, { expected });
  return undefined;
}

/** An integer ≥ `min` (pydantic's int checks). */
export function checkInt(value: unknown, loc: Loc, issues: Issues, min?: number): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.add('int_type', loc, 'Input should be a valid integer', value);
    return undefined;
  }
  if (!Number.isInteger(value)) {
    issues.add('int_from_float', loc, 'Input should be a valid integer, got a number with a fractional part', value);
    return undefined;
  }
  if (min !== undefined && value < min) {
    issues.add('greater_than_equal', loc, `Input should be greater than or equal to ${min}`, value, { ge: min });
    return undefined;
  }
  return value;
}

/** A boolean body field (pydantic accepts JSON booleans only here). */
export function checkBool(value: unknown, loc: Loc, issues: Issues): boolean | undefined {
  if (typeof value === 'boolean') return value;
  issues.add('bool_type', loc, 'Input should be a valid boolean', value);
  return undefined;
}

/** A required field: adds pydantic's `missing` issue when absent. */
export function required(body: Record<string, unknown>, field: string, loc: Loc, issues: Issues): boolean {
  if (body[field] !== undefined) return true;
  issues.add('missing', [...loc, field], 'Field required', body);
  return false;
}

/** Throws the collected issues as a 422. */
export function throwIfAny(issues: Issues): void {
  if (!issues.empty) throw new ValidationFailure(issues.items);
}

/** `null` when the field is absent or null, else `check`'s result (`null` when invalid: the issue is recorded). */
export function nullable<T>(
  value: unknown,
  loc: Loc,
  issues: Issues,
  check: (value: unknown, loc: Loc, issues: Issues) => T | null | undefined,
): T | null {
  if (value === undefined || value === null) return null;
  return check(value, loc, issues) ?? null;
}

/** True for a JSON object; else records pydantic's `model_attributes_type` issue. */
export function checkObject(value: unknown, loc: Loc, issues: Issues): value is Record<string, unknown> {
  if (isObject(value)) return true;
  issues.add(
    'model_attributes_type',
    loc,
    'Input should be a valid dictionary or object to extract fields from',
    value,
  );
  return false;
}

/**
 * Orders items by Polar's `sorting` criteria (`field` ascending, `-field` descending): the first criterion that
 * tells two items apart decides; items no criterion tells apart keep their given order (the sort is stable).
 */
export function sortByCriteria<T>(
  items: readonly T[],
  sorting: readonly string[],
  compare: (a: T, b: T, field: string) => number,
): T[] {
  const criteria = sorting.map((value) => ({ field: value.replace(/^-/, ''), descending: value.startsWith('-') }));
  return [...items].sort((a, b) => {
    for (const { field, descending } of criteria) {
      const order = compare(a, b, field);
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}
