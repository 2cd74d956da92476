import { randomUUID } from 'node:crypto';
import { ValidationFailure } from '../emulator.http.js';
import { bodyObject } from '../customers.routes.js';
import {
  Issues,
  checkDatetime,
  checkMetadata,
  checkString,
  checkUnionTag,
  checkUuid4,
  type Loc,
} from '../emulator.validation.js';
import type { PolarEmulatorMetadata } from '../emulator.types.js';
import type { Resource, StoredCheckout, StoredPrice, StoredProduct } from './billing.store.js';
import { BillingFailure, checkEnum, checkInt, nullable, required, throwIfAny } from './billing.http.js';

/** A discount as the emulator keeps it (Polar's Discount model; `amounts` for fixed, `basis_points` for percentage). */
export interface StoredDiscount {
  id: string;
  created_at: string;
  modified_at: string | null;
  deleted_at: string | null;
  type: 'fixed' | 'percentage';
  duration: 'once' | 'forever' | 'repeating';
  duration_in_months: number | null;
  amounts: Record<string, number> | null;
  basis_points: number | null;
  name: string;
  code: string | null;
  starts_at: string | null;
  ends_at: string | null;
  max_redemptions: number | null;
  max_redemptions_per_customer: number | null;
  redemptions_count: number;
  organization_id: string;
  product_ids: string[];
  metadata: PolarEmulatorMetadata;
}

const DURATIONS = ['once', 'forever', 'repeating'] as const;
const TYPES = ['fixed', 'percentage'] as const;
const INT32_MAX = 2147483647;

// ---- pricing (Polar's models/discount.py) -------------------------------------------------------------------

/** Polar's `polar_round`: nearest integer, .5 away from zero. */
export function polarRound(value: number): number {
  return value >= 0 ? Math.floor(value + 0.5) : -Math.floor(-value + 0.5);
}

/** `get_discount_amount`: a fixed discount takes at most the amount; a percentage is rounded with `polar_round`. */
export function discountAmount(discount: StoredDiscount, amount: number, currency = 'usd'): number {
  if (amount <= 0) return 0;
  if (discount.type === 'fixed') return Math.min(discount.amounts?.[currency] ?? 0, amount);
  // basis_points / 10_000 on an integer amount: exact in integers until the final rounding.
  return polarRound((amount * (discount.basis_points ?? 0)) / 10_000);
}

/** Polar's `is_discount_applicable(price)`: any price that is not free (a fixed 0 is the emulator's free price). */
export function isDiscountApplicablePrice(price: StoredPrice): boolean {
  return !(price.amount_type === 'fixed' && Number(price.price_amount) === 0);
}

/** `is_applicable(product, currency)`: the fixed amount has the currency, and the product is allowed. */
export function appliesTo(discount: StoredDiscount, product: StoredProduct, currency = 'usd'): boolean {
  if (discount.type === 'fixed' && discount.amounts?.[currency] === undefined) return false;
  return discount.product_ids.length === 0 || discount.product_ids.includes(product.id);
}

/** `is_redeemable_discount`: inside `starts_at`/`ends_at` and under `max_redemptions`. */
export function isRedeemable(discount: StoredDiscount, now: Date): boolean {
  if (discount.deleted_at !== null) return false;
  if (discount.starts_at !== null && new Date(discount.starts_at).getTime() > now.getTime()) return false;
  if (discount.ends_at !== null && new Date(discount.ends_at).getTime() < now.getTime()) return false;
  return discount.max_redemptions === null || discount.redemptions_count < discount.max_redemptions;
}

/**
 * `is_repetition_expired`: once applies to the first period only; forever never expires; repeating lasts
 * `duration_in_months` calendar months from the first period it applied to (that month counts as the first).
 */
export function isRepetitionExpired(discount: StoredDiscount, appliedAt: string, periodStart: string): boolean {
  const applied = new Date(appliedAt);
  const start = new Date(periodStart).getTime();
  if (discount.duration === 'once') return start > applied.getTime();
  if (discount.duration === 'forever' || discount.duration_in_months === null) return false;
  return start > addMonthsClamped(applied, discount.duration_in_months - 1).getTime();
}

/** dateutil's `relativedelta(months=n)`: the same day n months on, clamped to the month's last day (Jan 31 + 1 → Feb 28). */
function addMonthsClamped(from: Date, months: number): Date {
  const target = new Date(from.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return target;
}

/** Polar's DiscountRedemptionLimitReached (403), from the checkout service. */
export class DiscountRedemptionLimitReached extends BillingFailure {
  constructor() {
    super(403, {
      error: 'DiscountRedemptionLimitReached',
      detail: 'You have already redeemed this discount the maximum number of times allowed per customer.',
    });
  }
}

/**
 * `check_per_customer_limit_reached`: the customer's other redemptions of the discount — checkouts confirmed or
 * paid with it by the same customer id or e-mail (lower-cased) — reach `max_redemptions_per_customer`.
 */
export function perCustomerLimitReached(
  discount: StoredDiscount,
  checkout: StoredCheckout,
  checkouts: Iterable<StoredCheckout>,
  customer?: { id: string; email: string | null },
): boolean {
  if (discount.max_redemptions_per_customer === null) return false;
  const customerId = customer?.id ?? checkout.customer_id;
  const email = (customer?.email || checkout.customer_email)?.toLowerCase() ?? null;
  let count = 0;
  for (const other of checkouts) {
    if (other.id === checkout.id || other.discount_id !== discount.id) continue;
    if (other.status !== 'confirmed' && other.status !== 'succeeded') continue;
    const sameCustomer = customerId !== null && other.customer_id === customerId;
    const sameEmail = email !== null && other.customer_email?.toLowerCase() === email;
    if (sameCustomer || sameEmail) count++;
  }
  return count >= discount.max_redemptions_per_customer;
}

// ---- views ----------------------------------------------------------------------------------------------------

/** The type- and duration-specific fields every discount shape has. */
function typeFields(discount: StoredDiscount): Record<string, unknown> {
  const duration: Record<string, unknown> = { duration: discount.duration };
  if (discount.duration === 'repeating') duration.duration_in_months = discount.duration_in_months;
  if (discount.type === 'percentage') return { ...duration, type: 'percentage', basis_points: discount.basis_points };
  const amounts = discount.amounts ?? {};
  const currency = 'usd' in amounts ? 'usd' : Object.keys(amounts)[0];
  return { ...duration, type: 'fixed', amount: amounts[currency], currency, amounts: { ...amounts } };
}

/** DiscountMinimal (the `discount` of an order or subscription): the discount without its products. */
export function discountBaseView(discount: StoredDiscount): Resource {
  return {
    ...typeFields(discount),
    created_at: discount.created_at,
    modified_at: discount.modified_at,
    id: discount.id,
    metadata: { ...discount.metadata },
    name: discount.name,
    code: discount.code,
    starts_at: discount.starts_at,
    ends_at: discount.ends_at,
    max_redemptions: discount.max_redemptions,
    max_redemptions_per_customer: discount.max_redemptions_per_customer,
    redemptions_count: discount.redemptions_count,
    organization_id: discount.organization_id,
  };
}

/** DiscountProduct: a product without its prices, benefits and media. */
function discountProduct(product: StoredProduct): Record<string, unknown> {
  const keys = [
    'metadata',
    'id',
    'created_at',
    'modified_at',
    'trial_interval',
    'trial_interval_count',
    'name',
    'description',
    'visibility',
    'recurring_interval',
    'recurring_interval_count',
    'meter_interval',
    'meter_interval_count',
    'is_recurring',
    'is_archived',
    'organization_id',
  ];
  return Object.fromEntries(keys.map((key) => [key, structuredClone(product[key])]));
}

/** Discount (the `/v1/discounts/` shape): the minimal view plus the products it is restricted to. */
export function discountView(discount: StoredDiscount, products: Map<string, StoredProduct>): Resource {
  return {
    ...discountBaseView(discount),
    products: discount.product_ids
      .map((id) => products.get(id))
      .filter((product): product is StoredProduct => product !== undefined)
      .map(discountProduct),
  };
}

/** CheckoutDiscount: what the customer sees of the discount on a checkout. */
export function checkoutDiscountView(discount: StoredDiscount): Resource {
  return { ...typeFields(discount), id: discount.id, name: discount.name, code: discount.code };
}

// ---- validation (Polar's discount/schemas.py and service.py) ----------------------------------------------------

/** A date-time field, kept as an ISO string. */
const checkIsoDatetime = (value: unknown, loc: Loc, issues: Issues): string | undefined =>
  checkDatetime(value, loc, issues)?.toISOString();

function checkInt32(value: unknown, loc: Loc, issues: Issues, min: number, max = INT32_MAX): number | undefined {
  const int = checkInt(value, loc, issues, min);
  if (int !== undefined && int > max) {
    issues.add('less_than_equal', loc, `Input should be less than or equal to ${max}`, value, { le: max });
    return undefined;
  }
  return int;
}

/** Polar's `Code`: "" is none; alphanumeric, 3 to 256 characters. */
function checkCode(value: unknown, loc: Loc, issues: Issues): string | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  const code = checkString(value, loc, issues);
  if (code === undefined) return undefined;
  if (!/^[\p{L}\p{N}]+$/u.test(code)) {
    issues.add('value_error', loc, 'Value error, Code must contain only alphanumeric characters.', value, {
      error: {},
    });
    return undefined;
  }
  if (code.length < 3 || code.length > 256) {
    issues.add('value_error', loc, 'Value error, Code must be between 3 and 256 characters long.', value, {
      error: {},
    });
    return undefined;
  }
  return code;
}

/** `amounts`: at least one currency, each amount 0 … 999999999999. */
function checkAmounts(value: unknown, loc: Loc, issues: Issues): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.add('dict_type', loc, 'Input should be a valid dictionary', value);
    return undefined;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) {
    issues.add('too_short', loc, 'Dictionary should have at least 1 item after validation, not 0', value, {
      field_type: 'Dictionary',
      min_length: 1,
      actual_length: 0,
    });
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const [currency, amount] of entries) {
    const checked = checkInt(amount, [...loc, currency], issues, 0);
    if (checked !== undefined) out[currency.toLowerCase()] = checked;
  }
  return out;
}

/** The fields create and update share, checked at `loc` (['body', type] on create, ['body'] on update). */
function commonFields(body: Record<string, unknown>, loc: Loc, issues: Issues) {
  const at = (field: string): Loc => [...loc, field];
  return {
    code: checkCode(body.code, at('code'), issues),
    starts_at: nullable(body.starts_at, at('starts_at'), issues, checkIsoDatetime),
    ends_at: nullable(body.ends_at, at('ends_at'), issues, checkIsoDatetime),
    max_redemptions: nullable(body.max_redemptions, at('max_redemptions'), issues, (v, l, i) => checkInt32(v, l, i, 1)),
    max_redemptions_per_customer: nullable(
      body.max_redemptions_per_customer,
      at('max_redemptions_per_customer'),
      issues,
      (v, l, i) => checkInt32(v, l, i, 1),
    ),
    products: nullable(body.products, at('products'), issues, (v, l, i) => {
      if (!Array.isArray(v)) {
        i.add('list_type', l, 'Input should be a valid list', v);
        return undefined;
      }
      return v.map((id, index) => checkUuid4(id, [...l, index], i) ?? '');
    }),
    metadata: body.metadata === undefined ? undefined : checkMetadata(body.metadata, at('metadata'), issues),
  };
}

/** pydantic's model-level `value_error` (loc is the model's). */
function modelError(issues: Issues, loc: Loc, message: string, input: unknown): void {
  issues.add('value_error', loc, `Value error, ${message}`, input, { error: {} });
}

/** Polar's "Product not found." for a product id outside the organization. */
function checkProducts(ids: string[], products: Map<string, StoredProduct>): string[] {
  const issues = new Issues();
  ids.forEach((id, index) => {
    if (!products.has(id)) issues.add('value_error', ['body', 'products', index], 'Product not found.', id);
  });
  if (!issues.empty) throw new ValidationFailure(issues.items, 'PolarRequestValidationError');
  return [...new Set(ids)];
}

/** Polar's `_assert_code_available`: codes are unique per organization, compared case-insensitively. */
function assertCodeAvailable(code: string, discounts: Iterable<StoredDiscount>, self?: StoredDiscount): void {
  for (const other of discounts) {
    if (other === self || other.deleted_at !== null || other.code === null) continue;
    if (other.code.toLowerCase() === code.toLowerCase())
      throw ValidationFailure.polar('code', 'Discount with this code already exists.', code);
  }
}

/** Validates a `POST /v1/discounts/` body (DiscountFixedCreate | DiscountPercentageCreate) into a new discount. */
export function parseDiscountCreate(
  raw: unknown,
  context: {
    now: string;
    organizationId: string;
    discounts: Iterable<StoredDiscount>;
    products: Map<string, StoredProduct>;
  },
): StoredDiscount {
  const body = bodyObject(raw);
  const issues = new Issues();
  const tag = checkUnionTag(body, 'type', TYPES, ['body'], issues);
  throwIfAny(issues);
  const type = tag!;
  const loc: Loc = ['body', type];
  const before = issues.items.length;
  let name: string | undefined;
  if (required(body, 'name', loc, issues)) name = checkString(body.name, [...loc, 'name'], issues, { min: 1 });
  let duration: StoredDiscount['duration'] | undefined;
  if (required(body, 'duration', loc, issues))
    duration = checkEnum(body.duration, DURATIONS, [...loc, 'duration'], issues);
  const months = nullable(body.duration_in_months, [...loc, 'duration_in_months'], issues, (v, l, i) =>
    checkInt32(v, l, i, 1, 999),
  );
  const common = commonFields(body, loc, issues);
  let amounts: Record<string, number> | null = null;
  let basisPoints: number | null = null;
  if (type === 'percentage') {
    if (required(body, 'basis_points', loc, issues))
      basisPoints = checkInt32(body.basis_points, [...loc, 'basis_points'], issues, 1, 10_000) ?? null;
  } else {
    const amount = nullable(body.amount, [...loc, 'amount'], issues, (v, l, i) => checkInt(v, l, i, 0));
    const currency =
      body.currency === undefined ? 'usd' : nullable(body.currency, [...loc, 'currency'], issues, checkString);
    const map = nullable(body.amounts, [...loc, 'amounts'], issues, checkAmounts);
    if (issues.items.length === before) {
      if (amount !== null && map !== null) modelError(issues, loc, 'Cannot specify both `amount` and `amounts`.', body);
      else if (amount === null && map === null)
        modelError(issues, loc, 'Must specify either `amount` or `amounts`.', body);
      else amounts = map ?? (currency !== null ? { [currency.toLowerCase()]: amount! } : null);
    }
  }
  if (issues.items.length === before) {
    if (duration === 'repeating' && months === null)
      modelError(issues, loc, '`duration_in_months` is required when `duration` is `repeating`.', body);
    else if (duration !== 'repeating' && months !== null)
      modelError(issues, loc, '`duration_in_months` must be omitted when `duration` is not `repeating`.', body);
    if (common.starts_at && common.ends_at && common.starts_at >= common.ends_at)
      modelError(issues, loc, 'starts_at must be before ends_at', body);
  }
  if (body.organization_id !== undefined && body.organization_id !== null)
    checkUuid4(body.organization_id, [...loc, 'organization_id'], issues);
  throwIfAny(issues);
  if (body.organization_id !== undefined && body.organization_id !== null)
    throw ValidationFailure.polar(
      'organization_id',
      'Setting organization_id is disallowed when using an organization token.',
      body.organization_id,
      'organization_token',
    );
  if (common.code) assertCodeAvailable(common.code, context.discounts);
  const productIds = checkProducts(common.products ?? [], context.products);
  return {
    id: randomUUID(),
    created_at: context.now,
    modified_at: null,
    deleted_at: null,
    type,
    duration: duration!,
    duration_in_months: months,
    amounts,
    basis_points: basisPoints,
    name: name!,
    code: common.code ?? null,
    starts_at: common.starts_at,
    ends_at: common.ends_at,
    max_redemptions: common.max_redemptions,
    max_redemptions_per_customer: common.max_redemptions_per_customer,
    redemptions_count: 0,
    organization_id: context.organizationId,
    product_ids: productIds,
    metadata: common.metadata ?? {},
  };
}

/** Validates a `PATCH /v1/discounts/{id}` body (DiscountUpdate) with Polar's update rules; returns the changes. */
export function parseDiscountUpdate(
  discount: StoredDiscount,
  raw: unknown,
  context: { discounts: Iterable<StoredDiscount>; products: Map<string, StoredProduct> },
): Partial<StoredDiscount> {
  const body = bodyObject(raw);
  const issues = new Issues();
  const loc: Loc = ['body'];
  const name = nullable(body.name, ['body', 'name'], issues, (v, l, i) => checkString(v, l, i, { min: 1 }));
  const duration = nullable(body.duration, ['body', 'duration'], issues, (v, l, i) => checkEnum(v, DURATIONS, l, i));
  const months = nullable(body.duration_in_months, ['body', 'duration_in_months'], issues, (v, l, i) =>
    checkInt32(v, l, i, 1, 999),
  );
  const type = nullable(body.type, ['body', 'type'], issues, (v, l, i) => checkEnum(v, TYPES, l, i));
  const amount = nullable(body.amount, ['body', 'amount'], issues, (v, l, i) => checkInt(v, l, i, 0));
  const currency = nullable(body.currency, ['body', 'currency'], issues, checkString);
  const amounts = nullable(body.amounts, ['body', 'amounts'], issues, checkAmounts);
  const basisPoints = nullable(body.basis_points, ['body', 'basis_points'], issues, (v, l, i) =>
    checkInt32(v, l, i, 1, 10_000),
  );
  const common = commonFields(body, loc, issues);
  if (issues.empty) {
    if (common.starts_at && common.ends_at && common.starts_at >= common.ends_at)
      modelError(issues, loc, 'starts_at must be before ends_at', body);
    if (amount !== null && amounts !== null)
      modelError(issues, loc, 'Cannot specify both `amount` and `amounts`.', body);
  }
  throwIfAny(issues);
  const refuse = (field: string, msg: string, input: unknown) => ValidationFailure.polar(field, msg, input);
  if ('duration' in body && duration !== discount.duration)
    throw refuse('duration', 'Duration cannot be changed.', duration);
  if (type !== null && type !== discount.type) throw refuse('type', 'Type cannot be changed.', type);
  if (common.code) assertCodeAvailable(common.code, context.discounts, discount);
  if (discount.redemptions_count > 0) {
    const changed: Record<string, boolean> =
      discount.type === 'fixed'
        ? {
            amount: 'amount' in body && amount !== (discount.amounts?.usd ?? null),
            currency: 'currency' in body && currency !== null && !(currency.toLowerCase() in (discount.amounts ?? {})),
            amounts: 'amounts' in body && JSON.stringify(amounts) !== JSON.stringify(discount.amounts),
            duration_in_months: 'duration_in_months' in body && months !== discount.duration_in_months,
          }
        : {
            basis_points: 'basis_points' in body && basisPoints !== discount.basis_points,
            duration_in_months: 'duration_in_months' in body && months !== discount.duration_in_months,
          };
    for (const [field, isChanged] of Object.entries(changed)) {
      if (isChanged)
        throw refuse(
          field,
          'This field cannot be changed because the discount has already been redeemed.',
          field === 'amounts' || field === 'amount' || field === 'currency'
            ? discount.amounts
            : discount[field as keyof StoredDiscount],
        );
    }
  }
  const patch: Partial<StoredDiscount> = {};
  if (common.products !== null) patch.product_ids = checkProducts(common.products, context.products);
  if (name !== null) patch.name = name;
  if ('code' in body) patch.code = common.code ?? null;
  if ('starts_at' in body) patch.starts_at = common.starts_at;
  if ('ends_at' in body) patch.ends_at = common.ends_at;
  if ('max_redemptions' in body) patch.max_redemptions = common.max_redemptions;
  if ('max_redemptions_per_customer' in body) patch.max_redemptions_per_customer = common.max_redemptions_per_customer;
  if ('duration_in_months' in body && discount.duration === 'repeating' && months !== null)
    patch.duration_in_months = months;
  if (common.metadata !== undefined) patch.metadata = common.metadata;
  if (discount.type === 'fixed') {
    if (amounts !== null) patch.amounts = amounts;
    else if (amount !== null && currency !== null) patch.amounts = { [currency.toLowerCase()]: amount };
  } else if (basisPoints !== null) patch.basis_points = basisPoints;
  return patch;
}
