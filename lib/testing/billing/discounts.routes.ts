import { NotFoundFailure, ValidationFailure, sendJson } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { Issues, checkString, checkUuid4 } from '../emulator.validation.js';
import type { BillingStore, StoredCheckout, StoredProduct } from './billing.store.js';
import { billingRoute, lookup, parsePagination, sendPage, sortByCriteria, throwIfAny } from './billing.http.js';
import {
  appliesTo,
  discountAmount,
  discountView,
  isDiscountApplicablePrice,
  isRedeemable,
  parseDiscountCreate,
  parseDiscountUpdate,
  type StoredDiscount,
} from './discounts.js';

const READ = ['discounts:read', 'discounts:write'];
const WRITE = ['discounts:write'];
const SORT_FIELDS = ['created_at', 'name', 'code', 'redemptions_count', 'ends_at'] as const;

/** How a checkout names its discount: by id (API) or by code (the customer, when codes are allowed). */
export type DiscountChoice = { discount_id: string } | { discount_code: string };

/**
 * Polar's `_get_validated_discount`: the product must have a discountable price, and the discount must exist,
 * be redeemable and apply to the product (restriction, currency). A code is matched case-insensitively.
 */
export function validatedDiscount(store: BillingStore, product: StoredProduct, choice: DiscountChoice): StoredDiscount {
  const field = 'discount_id' in choice ? 'discount_id' : 'discount_code';
  const input = 'discount_id' in choice ? choice.discount_id : null;
  if (!product.prices.some((price) => !price.is_archived && isDiscountApplicablePrice(price)))
    throw ValidationFailure.polar(field, 'Discounts are not applicable to this product.', input);
  const now = store.clock();
  const found =
    'discount_id' in choice
      ? store.discounts.get(choice.discount_id)
      : [...store.discounts.values()].find(
          (discount) =>
            discount.deleted_at === null &&
            discount.code !== null &&
            discount.code.toUpperCase() === choice.discount_code.toUpperCase(),
        );
  if (!found || found.deleted_at !== null || !isRedeemable(found, now) || !appliesTo(found, product))
    throw ValidationFailure.polar(field, 'Discount does not exist.', input);
  return found;
}

/**
 * Sets the checkout's discount (or none) and its amounts as Polar computes them: `discount_amount` from the
 * `amount`, `net_amount = amount − discount_amount`, `total_amount = net_amount + tax` (the emulator charges no tax).
 */
export function applyCheckoutDiscount(checkout: StoredCheckout, discount: StoredDiscount | null): void {
  const amount = Number(checkout.amount);
  const discounted = discount ? discountAmount(discount, amount, String(checkout.currency)) : 0;
  const net = amount - discounted;
  const total = net + Number(checkout.tax_amount ?? 0);
  Object.assign(checkout, {
    discount_id: discount?.id ?? null,
    discount_amount: discounted,
    net_amount: net,
    total_amount: total,
    is_payment_required: total > 0,
  });
  checkout.is_payment_form_required =
    Boolean(checkout.is_payment_required) || Boolean(checkout.is_payment_setup_required);
}

/** The client update's and confirm's `discount_code`: applied when the checkout allows codes; `null` removes it. */
export function applyDiscountCode(store: BillingStore, checkout: StoredCheckout, body: Record<string, unknown>): void {
  if (!('discount_code' in body) || !checkout.allow_discount_codes) return;
  if (body.discount_code === null) return applyCheckoutDiscount(checkout, null);
  const issues = new Issues();
  const code = checkString(body.discount_code, ['body', 'discount_code'], issues);
  throwIfAny(issues);
  const product = store.products.get(checkout.product_id)!;
  applyCheckoutDiscount(checkout, validatedDiscount(store, product, { discount_code: code! }));
}

/** The subscription update's `discount_id`: Polar's `resolve_discount` (null removes the discount). */
export function resolveSubscriptionDiscount(
  store: BillingStore,
  product: StoredProduct,
  current: string | null,
  raw: unknown,
): StoredDiscount | null {
  if (raw === null) return null;
  const issues = new Issues();
  const id = checkUuid4(raw, ['body', 'SubscriptionUpdateBase', 'discount_id'], issues);
  throwIfAny(issues);
  const discount = store.discounts.get(id!);
  if (
    !discount ||
    discount.deleted_at !== null ||
    !appliesTo(discount, product) ||
    !isRedeemable(discount, store.clock())
  )
    throw ValidationFailure.polar(
      'discount_id',
      'Discount does not exist, is not applicable to this product or is not redeemable.',
      id,
    );
  if (discount.id === current)
    throw ValidationFailure.polar('discount_id', 'This discount is already applied to the subscription.', id);
  return discount;
}

function compare(a: StoredDiscount, b: StoredDiscount, field: (typeof SORT_FIELDS)[number]): number {
  const pick = (d: StoredDiscount): string | number | null =>
    field === 'redemptions_count' ? d.redemptions_count : (d[field] as string | null);
  const x = pick(a);
  const y = pick(b);
  if (x === y) return 0;
  // PostgreSQL sorts NULLs last ascending, first descending.
  if (x === null) return 1;
  if (y === null) return -1;
  return x < y ? -1 : 1;
}

/** Routes of `/v1/discounts/`. */
export function discountRoutes(store: BillingStore): Route[] {
  const view = (discount: StoredDiscount) => discountView(discount, store.products);
  const find = (ctx: Parameters<Route['handle']>[0]): StoredDiscount => {
    const discount = lookup(store.discounts, ctx);
    if (discount.deleted_at !== null) throw new NotFoundFailure();
    return discount;
  };
  const context = () => ({
    now: store.now(),
    organizationId: store.customers.organizationId,
    discounts: store.discounts.values(),
    products: store.products,
  });
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/discounts/',
      scopes: READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const sorting = ctx.query.getAll('sorting');
        const expected = SORT_FIELDS.flatMap((f) => [`'${f}'`, `'-${f}'`])
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1');
        sorting.forEach((value, index) => {
          if (!(SORT_FIELDS as readonly string[]).includes(value.replace(/^-/, '')))
            issues.add('enum', ['query', 'sorting', index], `Input should be ${expected}`, value, { expected });
        });
        for (const [index, id] of ctx.query.getAll('organization_id').entries())
          checkUuid4(id, ['query', 'organization_id', index], issues);
        throwIfAny(issues);
        const organizations = ctx.query.getAll('organization_id');
        const text = ctx.query.get('query');
        // Insertion order breaks ties between equal keys, newest first as the default sort shows.
        const matching = [...store.discounts.values()]
          .reverse()
          .filter((d) => d.deleted_at === null)
          .filter((d) => organizations.length === 0 || organizations.includes(d.organization_id))
          // Polar: name LIKE %query% (case-sensitive) or code ILIKE %query%.
          .filter(
            (d) =>
              !text || d.name.includes(text) || (d.code !== null && d.code.toLowerCase().includes(text.toLowerCase())),
          );
        const items = sortByCriteria(matching, sorting.length > 0 ? sorting : ['-created_at'], (a, b, field) =>
          compare(a, b, field as (typeof SORT_FIELDS)[number]),
        ).map(view);
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/discounts/',
      scopes: WRITE,
      handle: (ctx) => {
        const discount = parseDiscountCreate(ctx.body, context());
        store.saveDiscount(discount, view, true);
        sendJson(ctx, 201, view(discount));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/discounts/:id',
      scopes: READ,
      handle: (ctx) => sendJson(ctx, 200, view(find(ctx))),
    },
    {
      method: 'PATCH',
      pattern: '/v1/discounts/:id',
      scopes: WRITE,
      handle: (ctx) => {
        const discount = find(ctx);
        Object.assign(discount, parseDiscountUpdate(discount, ctx.body, context()));
        store.saveDiscount(discount, view, false);
        sendJson(ctx, 200, view(discount));
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/discounts/:id',
      scopes: WRITE,
      handle: (ctx) => {
        store.deleteDiscount(find(ctx), view);
        ctx.record.status = 204;
        ctx.res.writeHead(204);
        ctx.res.end();
      },
    },
  ];
  return routes.map(billingRoute);
}
