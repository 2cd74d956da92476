import { randomUUID } from 'node:crypto';
import { ValidationFailure, sendJson } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { bodyObject } from '../customers.routes.js';
import {
  Issues,
  checkMetadata,
  checkString,
  checkUnionTag,
  checkUuid4,
  isObject,
  type Loc,
  refuseOrganizationId,
} from '../emulator.validation.js';
import type { BillingStore, Resource, StoredPrice, StoredProduct } from './billing.store.js';
import {
  billingRoute,
  boolQuery,
  checkBool,
  checkEnum,
  checkInt,
  checkObject,
  lookup,
  nullable,
  parsePagination,
  required,
  sendPage,
  throwIfAny,
  uuidFilter,
} from './billing.http.js';

const PRODUCTS_READ = ['products:read', 'products:write'];
const PRODUCTS_WRITE = ['products:write'];
const BENEFITS_READ = ['benefits:read', 'benefits:write'];
const BENEFITS_WRITE = ['benefits:write'];
const INTERVALS = ['day', 'week', 'month', 'year'] as const;
const VISIBILITIES = ['draft', 'private', 'public'] as const;
const AMOUNT_TYPES = ['fixed', 'custom', 'seat_based', 'metered_unit'] as const;

/** The fields every price has, for `product`. */
function priceBase(store: BillingStore, productId: string, amountType: string, raw: Record<string, unknown>) {
  return {
    ...store.stamp(),
    source: 'catalog',
    amount_type: amountType,
    price_currency: typeof raw.price_currency === 'string' ? raw.price_currency : 'usd',
    tax_behavior: (raw.tax_behavior as string | null | undefined) ?? null,
    is_archived: false,
    product_id: productId,
  };
}

function parsePrice(
  store: BillingStore,
  productId: string,
  raw: unknown,
  loc: Loc,
  issues: Issues,
): StoredPrice | undefined {
  if (!checkObject(raw, loc, issues)) return undefined;
  if (checkUnionTag(raw, 'amount_type', AMOUNT_TYPES, loc, issues) === undefined) {
    return undefined;
  }
  const type = raw.amount_type as (typeof AMOUNT_TYPES)[number];
  const at = [...loc, type];
  const before = issues.items.length;
  const base = priceBase(store, productId, type, raw);
  switch (type) {
    case 'fixed': {
      if (!required(raw, 'price_amount', at, issues)) return undefined;
      const amount = checkInt(raw.price_amount, [...at, 'price_amount'], issues, 0);
      return issues.items.length === before ? ({ ...base, price_amount: amount } as StoredPrice) : undefined;
    }
    case 'custom': {
      const minimum =
        raw.minimum_amount === undefined ? 50 : checkInt(raw.minimum_amount, [...at, 'minimum_amount'], issues, 0);
      const maximum = nullable(raw.maximum_amount, [...at, 'maximum_amount'], issues, (v, l, i) =>
        checkInt(v, l, i, 50),
      );
      const preset = nullable(raw.preset_amount, [...at, 'preset_amount'], issues, (v, l, i) => checkInt(v, l, i, 0));
      if (issues.items.length !== before) return undefined;
      return { ...base, minimum_amount: minimum, maximum_amount: maximum, preset_amount: preset } as StoredPrice;
    }
    case 'seat_based': {
      if (!required(raw, 'seat_tiers', at, issues)) return undefined;
      const tiers = raw.seat_tiers;
      if (!isObject(tiers) || !Array.isArray(tiers.tiers) || tiers.tiers.length === 0) {
        issues.add('value_error', [...at, 'seat_tiers'], 'Value error, at least one tier is required', tiers);
        return undefined;
      }
      const parsed = tiers.tiers.map((tier: unknown, index: number) => {
        const tierLoc = [...at, 'seat_tiers', 'tiers', index];
        if (!isObject(tier)) {
          issues.add('model_type', tierLoc, 'Input should be a valid dictionary', tier);
          return undefined;
        }
        return {
          min_seats: checkInt(tier.min_seats, [...tierLoc, 'min_seats'], issues, 1),
          max_seats: nullable(tier.max_seats, [...tierLoc, 'max_seats'], issues, (v, l, i) => checkInt(v, l, i, 1)),
          price_per_seat: checkInt(tier.price_per_seat, [...tierLoc, 'price_per_seat'], issues, 0),
        };
      });
      if (issues.items.length !== before) return undefined;
      return {
        ...base,
        seat_tiers: {
          seat_tier_type: tiers.seat_tier_type ?? 'volume',
          tiers: parsed,
          minimum_seats: parsed[0]!.min_seats,
          maximum_seats: parsed[parsed.length - 1]!.max_seats,
        },
      } as StoredPrice;
    }
    case 'metered_unit': {
      required(raw, 'meter_id', at, issues);
      required(raw, 'unit_amount', at, issues);
      if (issues.items.length !== before) return undefined;
      const meterId = checkUuid4(raw.meter_id, [...at, 'meter_id'], issues);
      const unit =
        typeof raw.unit_amount === 'number'
          ? String(raw.unit_amount)
          : checkString(raw.unit_amount, [...at, 'unit_amount'], issues);
      if (unit !== undefined && !/^[+-]?\d*\.?\d+$/.test(unit))
        issues.add('decimal_parsing', [...at, 'unit_amount'], 'Input should be a valid decimal', raw.unit_amount);
      if (issues.items.length !== before) return undefined;
      const meter = store.meters.get(meterId!);
      if (!meter) {
        issues.add('value_error', [...at, 'meter_id'], 'Meter does not exist.', raw.meter_id);
        return undefined;
      }
      return {
        ...base,
        unit_amount: unit,
        cap_amount: nullable(raw.cap_amount, [...at, 'cap_amount'], issues, (v, l, i) => checkInt(v, l, i, 0)),
        meter_id: meter.id,
        meter: {
          id: meter.id,
          name: meter.name,
          unit: meter.unit,
          custom_label: meter.custom_label,
          custom_multiplier: meter.custom_multiplier,
        },
      } as StoredPrice;
    }
  }
}

function parsePrices(store: BillingStore, productId: string, raw: unknown, issues: Issues): StoredPrice[] {
  if (!Array.isArray(raw)) {
    issues.add('list_type', ['body', 'prices'], 'Input should be a valid list', raw);
    return [];
  }
  if (raw.length === 0) {
    issues.add('too_short', ['body', 'prices'], 'List should have at least 1 item after validation, not 0', raw, {
      field_type: 'List',
      min_length: 1,
      actual_length: 0,
    });
    return [];
  }
  return raw
    .map((price, index) => parsePrice(store, productId, price, ['body', 'prices', index], issues))
    .filter((price): price is StoredPrice => price !== undefined);
}

function parseInterval(raw: unknown, field: string, issues: Issues): string | null | undefined {
  if (raw === undefined || raw === null) return null;
  return checkEnum(raw, INTERVALS, ['body', field], issues);
}

function parseCount(raw: unknown, field: string, issues: Issues): number | null | undefined {
  if (raw === undefined || raw === null) return null;
  return checkInt(raw, ['body', field], issues, 1);
}

/** Validates a `POST /v1/products/` body into the product to store (the seeding helper reuses it). */
export function parseProductCreate(store: BillingStore, raw: unknown): StoredProduct {
  const body = bodyObject(raw);
  const issues = new Issues();
  const id = randomUUID();
  let name: string | undefined;
  if (required(body, 'name', ['body'], issues))
    name = checkString(body.name, ['body', 'name'], issues, { min: 3, max: 64 });
  let prices: StoredPrice[] = [];
  if (required(body, 'prices', ['body'], issues)) prices = parsePrices(store, id, body.prices, issues);
  const recurringInterval = parseInterval(body.recurring_interval, 'recurring_interval', issues);
  const recurringCount = parseCount(body.recurring_interval_count, 'recurring_interval_count', issues);
  const trialInterval = parseInterval(body.trial_interval, 'trial_interval', issues);
  const trialCount = parseCount(body.trial_interval_count, 'trial_interval_count', issues);
  const metadata = body.metadata === undefined ? {} : checkMetadata(body.metadata, ['body', 'metadata'], issues);
  const visibility =
    body.visibility === undefined ? 'public' : checkEnum(body.visibility, VISIBILITIES, ['body', 'visibility'], issues);
  const description = nullable(body.description, ['body', 'description'], issues, checkString);
  if (body.organization_id !== undefined && body.organization_id !== null)
    checkUuid4(body.organization_id, ['body', 'organization_id'], issues);
  throwIfAny(issues);
  refuseOrganizationId(body);
  const recurring = recurringInterval !== null;
  if (!recurring && prices.some((price) => price.amount_type === 'metered_unit')) {
    throw ValidationFailure.polar('prices', 'Metered prices are only supported on recurring products.', body.prices);
  }
  return {
    id,
    created_at: store.now(),
    modified_at: null,
    trial_interval: recurring ? (trialInterval ?? null) : null,
    trial_interval_count: recurring ? (trialCount ?? null) : null,
    name: name!,
    description: description ?? null,
    visibility: visibility!,
    recurring_interval: (recurringInterval ?? null) as StoredProduct['recurring_interval'],
    recurring_interval_count: recurring ? (recurringCount ?? 1) : null,
    meter_interval: null,
    meter_interval_count: null,
    is_recurring: recurring,
    is_archived: false,
    organization_id: store.customers.organizationId,
    metadata: metadata!,
    prices,
    benefits: [],
    medias: [],
    attached_custom_fields: [],
  };
}

function parseProductUpdate(store: BillingStore, product: StoredProduct, raw: unknown): Partial<StoredProduct> {
  const body = bodyObject(raw);
  const issues = new Issues();
  const patch: Partial<StoredProduct> = {};
  if (body.name !== undefined && body.name !== null) {
    const name = checkString(body.name, ['body', 'name'], issues, { min: 3, max: 64 });
    if (name !== undefined) patch.name = name;
  }
  if (body.description !== undefined) {
    patch.description =
      body.description === null ? null : checkString(body.description, ['body', 'description'], issues);
  }
  if (body.metadata !== undefined && body.metadata !== null) {
    const metadata = checkMetadata(body.metadata, ['body', 'metadata'], issues);
    if (metadata !== undefined) patch.metadata = metadata;
  }
  if (body.is_archived !== undefined && body.is_archived !== null) {
    const archived = checkBool(body.is_archived, ['body', 'is_archived'], issues);
    if (archived !== undefined) patch.is_archived = archived;
  }
  if (body.visibility !== undefined && body.visibility !== null) {
    const visibility = checkEnum(body.visibility, VISIBILITIES, ['body', 'visibility'], issues);
    if (visibility !== undefined) patch.visibility = visibility;
  }
  if (body.recurring_interval !== undefined && body.recurring_interval !== null) {
    const interval = checkEnum(body.recurring_interval, INTERVALS, ['body', 'recurring_interval'], issues);
    if (interval !== undefined && !product.is_recurring) {
      issues.add(
        'value_error',
        ['body', 'recurring_interval'],
        "Can't change the recurring interval of a one-time product.",
        interval,
      );
    } else if (interval !== undefined) patch.recurring_interval = interval;
  }
  if (body.prices !== undefined && body.prices !== null) {
    // Polar keeps existing prices referenced by `{ id }` and archives the others.
    const kept: StoredPrice[] = [];
    if (!Array.isArray(body.prices))
      issues.add('list_type', ['body', 'prices'], 'Input should be a valid list', body.prices);
    else {
      body.prices.forEach((raw, index) => {
        if (isObject(raw) && raw.id !== undefined && raw.amount_type === undefined) {
          const existing = product.prices.find((price) => price.id === raw.id);
          if (existing) kept.push(existing);
          else issues.add('value_error', ['body', 'prices', index, 'id'], 'Price does not exist.', raw.id);
        } else {
          const price = parsePrice(store, product.id, raw, ['body', 'prices', index], issues);
          if (price) kept.push(price);
        }
      });
    }
    patch.prices = kept;
  }
  throwIfAny(issues);
  return patch;
}

const BENEFIT_TYPES = ['custom', 'license_keys', 'meter_credit'] as const;
type BenefitType = (typeof BENEFIT_TYPES)[number];

/** `properties` of a custom benefit: an optional note. */
function customProperties(properties: Record<string, unknown>, loc: Loc, issues: Issues): Record<string, unknown> {
  return { note: nullable(properties.note, [...loc, 'note'], issues, checkString) };
}

/** `properties` of a license_keys benefit: key prefix, expiry, activation limit, usage limit. */
function licenseKeyProperties(properties: Record<string, unknown>, loc: Loc, issues: Issues): Record<string, unknown> {
  const prefix = nullable(properties.prefix, [...loc, 'prefix'], issues, checkString);
  const expires = nullable(properties.expires, [...loc, 'expires'], issues, (raw, at, i) => {
    if (!checkObject(raw, at, i)) return undefined;
    const ttl = required(raw, 'ttl', at, i) ? checkInt(raw.ttl, [...at, 'ttl'], i, 1) : undefined;
    const timeframe = required(raw, 'timeframe', at, i)
      ? checkEnum(raw.timeframe, ['year', 'month', 'day'] as const, [...at, 'timeframe'], i)
      : undefined;
    return ttl === undefined || timeframe === undefined ? undefined : { ttl, timeframe };
  });
  const activations = nullable(properties.activations, [...loc, 'activations'], issues, (raw, at, i) => {
    if (!checkObject(raw, at, i)) return undefined;
    const limit = required(raw, 'limit', at, i) ? checkInt(raw.limit, [...at, 'limit'], i, 1) : undefined;
    const admin = required(raw, 'enable_customer_admin', at, i)
      ? checkBool(raw.enable_customer_admin, [...at, 'enable_customer_admin'], i)
      : undefined;
    return limit === undefined || admin === undefined ? undefined : { limit, enable_customer_admin: admin };
  });
  const limitUsage = nullable(properties.limit_usage, [...loc, 'limit_usage'], issues, (v, l, i) =>
    checkInt(v, l, i, 1),
  );
  return { prefix, expires, activations, limit_usage: limitUsage };
}

/** `properties` of a meter_credit benefit: units credited to a meter each period, with or without rollover. */
function meterCreditProperties(
  store: BillingStore,
  properties: Record<string, unknown>,
  loc: Loc,
  issues: Issues,
): Record<string, unknown> {
  const units = required(properties, 'units', loc, issues)
    ? checkInt(properties.units, [...loc, 'units'], issues, 0)
    : undefined;
  const rollover = required(properties, 'rollover', loc, issues)
    ? checkBool(properties.rollover, [...loc, 'rollover'], issues)
    : undefined;
  const meterId = required(properties, 'meter_id', loc, issues)
    ? checkUuid4(properties.meter_id, [...loc, 'meter_id'], issues)
    : undefined;
  if (meterId !== undefined && !store.meters.has(meterId))
    issues.add('value_error', [...loc, 'meter_id'], 'Meter does not exist.', meterId);
  return { units, rollover, meter_id: meterId };
}

/** Validates a `POST /v1/benefits/` body: custom, license_keys and meter_credit benefits (the ones with no outside side effect). */
function parseBenefitCreate(store: BillingStore, raw: unknown): Resource {
  const body = bodyObject(raw);
  const issues = new Issues();
  checkUnionTag(body, 'type', null, ['body'], issues);
  throwIfAny(issues);
  if (!(BENEFIT_TYPES as readonly unknown[]).includes(body.type)) {
    // Discord, GitHub, downloadables… act outside Polar: the emulator does not pretend to.
    throw ValidationFailure.polar(
      'type',
      'The emulator supports custom, license_keys and meter_credit benefits only.',
      body.type,
      'literal_error',
    );
  }
  const type = body.type as BenefitType;
  let description: string | undefined;
  if (required(body, 'description', ['body', type], issues))
    description = checkString(body.description, ['body', type, 'description'], issues, { min: 3, max: 42 });
  let properties: Record<string, unknown> = {};
  const loc: Loc = ['body', type, 'properties'];
  const rawProperties = body.properties;
  if (required(body, 'properties', ['body', type], issues) && checkObject(rawProperties, loc, issues)) {
    properties =
      type === 'custom'
        ? customProperties(rawProperties, loc, issues)
        : type === 'license_keys'
          ? licenseKeyProperties(rawProperties, loc, issues)
          : meterCreditProperties(store, rawProperties, loc, issues);
  }
  const metadata = body.metadata === undefined ? {} : checkMetadata(body.metadata, ['body', type, 'metadata'], issues);
  throwIfAny(issues);
  return {
    ...store.stamp(),
    type,
    description: description!,
    selectable: true,
    deletable: true,
    is_deleted: false,
    organization_id: store.customers.organizationId,
    metadata: metadata!,
    visibility: 'public',
    visibility_configurable: true,
    properties,
  };
}

/** Validates a `POST /v1/products/{id}/benefits` body into existing benefit ids (the seeding helper reuses it). */
export function parseBenefitIds(store: BillingStore, raw: unknown): string[] {
  const body = bodyObject(raw);
  const issues = new Issues();
  if (!required(body, 'benefits', ['body'], issues)) throwIfAny(issues);
  if (!Array.isArray(body.benefits)) {
    issues.add('list_type', ['body', 'benefits'], 'Input should be a valid list', body.benefits);
    throwIfAny(issues);
  }
  const ids = (body.benefits as unknown[]).map((id, index) => checkUuid4(id, ['body', 'benefits', index], issues));
  throwIfAny(issues);
  (ids as string[]).forEach((id, index) => {
    if (!store.benefits.has(id)) issues.add('value_error', ['body', 'benefits', index], 'Benefit does not exist.', id);
  });
  throwIfAny(issues);
  return [...new Set(ids as string[])];
}

/** Routes of `/v1/products/` and `/v1/benefits/`. */
export function catalogRoutes(store: BillingStore): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/products/',
      scopes: PRODUCTS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const ids = uuidFilter(ctx.query, 'id', issues);
        const archived = boolQuery(ctx.query, 'is_archived', issues);
        const recurring = boolQuery(ctx.query, 'is_recurring', issues);
        throwIfAny(issues);
        const text = ctx.query.get('query')?.toLowerCase();
        const items = [...store.products.values()]
          .filter((product) => !ids || ids.includes(product.id))
          .filter((product) => archived === null || product.is_archived === archived)
          .filter((product) => recurring === null || product.is_recurring === recurring)
          .filter((product) => !text || product.name.toLowerCase().includes(text))
          .reverse();
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/products/',
      scopes: PRODUCTS_WRITE,
      handle: (ctx) => sendJson(ctx, 201, structuredClone(store.addProduct(parseProductCreate(store, ctx.body)))),
    },
    {
      method: 'POST',
      pattern: '/v1/products/:id/benefits',
      scopes: PRODUCTS_WRITE,
      handle: (ctx) => {
        const product = lookup(store.products, ctx);
        sendJson(ctx, 200, structuredClone(store.setProductBenefits(product, parseBenefitIds(store, ctx.body))));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/products/:id',
      scopes: PRODUCTS_READ,
      handle: (ctx) => sendJson(ctx, 200, structuredClone(lookup(store.products, ctx))),
    },
    {
      method: 'PATCH',
      pattern: '/v1/products/:id',
      scopes: PRODUCTS_WRITE,
      handle: (ctx) => {
        const product = lookup(store.products, ctx);
        sendJson(ctx, 200, structuredClone(store.updateProduct(product, parseProductUpdate(store, product, ctx.body))));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/benefits/',
      scopes: BENEFITS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        throwIfAny(issues);
        sendPage(ctx, [...store.benefits.values()].reverse(), pagination);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/benefits/',
      scopes: BENEFITS_WRITE,
      handle: (ctx) => sendJson(ctx, 201, structuredClone(store.addBenefit(parseBenefitCreate(store, ctx.body)))),
    },
    {
      method: 'GET',
      pattern: '/v1/benefits/:id',
      scopes: BENEFITS_READ,
      handle: (ctx) => sendJson(ctx, 200, structuredClone(lookup(store.benefits, ctx))),
    },
  ];
  return routes.map(billingRoute);
}
