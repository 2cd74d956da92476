import {
  NotFoundFailure,
  ValidationFailure,
  escapeHtml,
  sendJson,
  sendText,
  type RequestContext,
} from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { page } from '../portal.page.js';
import { bodyObject } from '../customers.routes.js';
import {
  Issues,
  checkEmail,
  checkHttpUrl,
  checkMetadata,
  checkOptionalText,
  checkString,
  checkUuid4,
} from '../emulator.validation.js';
import {
  BillingStore,
  CheckoutNotOpen,
  addInterval,
  priceAmount,
  type Resource,
  type StoredCheckout,
  type StoredProduct,
} from './billing.store.js';
import {
  billingRoute,
  checkBool,
  checkInt,
  lookup,
  nullable,
  parsePagination,
  required,
  sendPage,
  throwIfAny,
  uuidFilter,
} from './billing.http.js';
import { applyCheckoutDiscount, applyDiscountCode, validatedDiscount } from './discounts.routes.js';
import { DiscountRedemptionLimitReached, isDiscountApplicablePrice, perCustomerLimitReached } from './discounts.js';

const READ = ['checkouts:read', 'checkouts:write'];
const WRITE = ['checkouts:write'];

/** Polar's `_update_trial_end`: a recurring product with a trial interval and count starts trialing now. */
function trialEnd(product: StoredProduct, now: Date): string | null {
  if (!product.is_recurring || product.trial_interval === null || product.trial_interval_count === null) return null;
  return addInterval(now, String(product.trial_interval), Number(product.trial_interval_count)).toISOString();
}

/** Validates a `POST /v1/checkouts/` body into the open checkout to store (the purchase helper reuses it). */
export function parseCheckoutCreate(store: BillingStore, baseUrl: string, raw: unknown): StoredCheckout {
  const body = bodyObject(raw);
  const issues = new Issues();
  let productIds: string[] = [];
  if (required(body, 'products', ['body'], issues)) {
    if (!Array.isArray(body.products))
      issues.add('list_type', ['body', 'products'], 'Input should be a valid list', body.products);
    else if (body.products.length === 0)
      issues.add(
        'too_short',
        ['body', 'products'],
        'List should have at least 1 item after validation, not 0',
        body.products,
        {
          field_type: 'List',
          min_length: 1,
          actual_length: 0,
        },
      );
    else productIds = body.products.map((id, index) => checkUuid4(id, ['body', 'products', index], issues) ?? '');
  }
  const customerId = nullable(body.customer_id, ['body', 'customer_id'], issues, checkUuid4);
  const externalCustomerId = nullable(
    body.external_customer_id,
    ['body', 'external_customer_id'],
    issues,
    checkOptionalText,
  );
  const email = nullable(body.customer_email, ['body', 'customer_email'], issues, checkEmail);
  const name = nullable(body.customer_name, ['body', 'customer_name'], issues, checkOptionalText);
  const successUrl = nullable(body.success_url, ['body', 'success_url'], issues, checkHttpUrl);
  const returnUrl = nullable(body.return_url, ['body', 'return_url'], issues, checkHttpUrl);
  const embedOrigin = nullable(body.embed_origin, ['body', 'embed_origin'], issues, checkString);
  const metadata = body.metadata === undefined ? {} : checkMetadata(body.metadata, ['body', 'metadata'], issues);
  const customerMetadata =
    body.customer_metadata === undefined
      ? {}
      : checkMetadata(body.customer_metadata, ['body', 'customer_metadata'], issues);
  const seats = nullable(body.seats, ['body', 'seats'], issues, (v, l, i) => checkInt(v, l, i, 1));
  if (seats !== null && seats > 10000)
    issues.add('less_than_equal', ['body', 'seats'], 'Input should be less than or equal to 10000', seats, {
      le: 10000,
    });
  const amount = nullable(body.amount, ['body', 'amount'], issues, (v, l, i) => checkInt(v, l, i, 0));
  const discountId = nullable(body.discount_id, ['body', 'discount_id'], issues, checkUuid4);
  const allowCodes =
    body.allow_discount_codes === undefined
      ? true
      : checkBool(body.allow_discount_codes, ['body', 'allow_discount_codes'], issues);
  throwIfAny(issues);
  const products: StoredProduct[] = [];
  productIds.forEach((id, index) => {
    const product = store.products.get(id);
    if (!product || product.is_archived)
      issues.add('value_error', ['body', 'products', index], 'Product does not exist or is archived.', id);
    else products.push(product);
  });
  if (customerId !== null && !store.customers.findById(customerId))
    issues.add('value_error', ['body', 'customer_id'], 'Customer does not exist.', customerId);
  if (!issues.empty) throw new ValidationFailure(issues.items, 'PolarRequestValidationError');
  const product = products[0];
  const price = product.prices.find((candidate) => !candidate.is_archived) ?? product.prices[0];
  if (price.amount_type === 'custom' && amount !== null) {
    if (
      amount < Number(price.minimum_amount ?? 0) ||
      (price.maximum_amount !== null && amount > Number(price.maximum_amount))
    )
      throw ValidationFailure.polar('amount', 'Amount is outside the price range.', amount);
  }
  if (seats !== null && price.amount_type !== 'seat_based')
    throw ValidationFailure.polar('seats', 'Seats are only supported for seat-based pricing.', seats);
  const customer = customerId ? store.customers.findById(customerId) : undefined;
  const discount = discountId === null ? null : validatedDiscount(store, product, { discount_id: discountId });
  const total = priceAmount(price, amount, seats);
  // One instant for the checkout: its created_at, expiry and trial end are computed from it.
  const stamp = store.stamp();
  const now = new Date(stamp.created_at);
  const checkout: StoredCheckout = {
    ...stamp,
    custom_field_data: {},
    payment_processor: 'stripe',
    status: 'open',
    client_secret: BillingStore.clientSecret(),
    url: '',
    expires_at: BillingStore.expiry(now),
    success_url: successUrl,
    return_url: returnUrl,
    embed_origin: embedOrigin,
    amount: total,
    seats: price.amount_type === 'seat_based' ? (seats ?? 1) : null,
    min_seats: null,
    max_seats: null,
    discount_amount: 0,
    net_amount: total,
    tax_amount: null,
    tax_behavior: null,
    total_amount: total,
    currency: 'usd',
    allow_trial: true,
    active_trial_interval: product.trial_interval,
    active_trial_interval_count: product.trial_interval_count,
    trial_end: trialEnd(product, now),
    organization_id: store.customers.organizationId,
    product_id: product.id,
    product_price_id: price.id,
    discount_id: null,
    allow_discount_codes: allowCodes!,
    require_billing_address: false,
    is_discount_applicable: product.prices.some((p) => !p.is_archived && isDiscountApplicablePrice(p)),
    is_free_product_price: total === 0,
    is_payment_required: total > 0,
    is_payment_setup_required: product.is_recurring,
    is_payment_form_required: total > 0 || product.is_recurring,
    customer_id: customer?.id ?? null,
    is_business_customer: false,
    customer_name: name ?? customer?.name ?? null,
    customer_email: email ?? customer?.email ?? null,
    customer_ip_address: null,
    customer_billing_name: null,
    customer_billing_address: customer?.billing_address ?? null,
    customer_tax_id: null,
    locale: null,
    payment_method_type: null,
    payment_processor_metadata: {},
    billing_address_fields: {
      country: 'required',
      state: 'disabled',
      city: 'disabled',
      postal_code: 'disabled',
      line1: 'disabled',
      line2: 'disabled',
    },
    trial_interval: null,
    trial_interval_count: null,
    metadata: metadata!,
    external_customer_id: externalCustomerId ?? customer?.external_id ?? null,
    product_ids: products.map((candidate) => candidate.id),
    subscription_id: null,
    attached_custom_fields: [],
    customer_metadata: customerMetadata!,
  };
  checkout.url = `${baseUrl}/checkout/${checkout.client_secret}`;
  applyCheckoutDiscount(checkout, discount);
  store.assertNoActiveSubscription(checkout);
  return checkout;
}

/** The public (client-secret) view: no metadata or customer ids of the organization, plus the organization. */
function publicView(store: BillingStore, checkout: StoredCheckout, slug: string): Resource {
  const {
    metadata: _m,
    external_customer_id: _e,
    customer_metadata: _c,
    trial_interval: _t,
    trial_interval_count: _tc,
    ...view
  } = store.checkoutView(checkout);
  return {
    ...view,
    organization: {
      created_at: store.now(),
      modified_at: null,
      id: store.customers.organizationId,
      name: slug,
      slug,
      avatar_url: null,
      proration_behavior: 'prorate',
      allow_customer_updates: true,
    },
  } as Resource;
}

function bySecret(store: BillingStore, ctx: RequestContext): StoredCheckout {
  const checkout = store.findCheckoutBySecret(ctx.params.client_secret);
  if (!checkout) throw new NotFoundFailure();
  store.expireCheckouts();
  return checkout;
}

/** Fields of a client update or confirm body the emulator applies (e-mail, name, `discount_code`). */
function applyConfirm(store: BillingStore, checkout: StoredCheckout, raw: unknown): void {
  const body = raw === undefined ? {} : bodyObject(raw);
  const issues = new Issues();
  const email =
    body.customer_email === undefined || body.customer_email === null
      ? undefined
      : checkEmail(body.customer_email, ['body', 'customer_email'], issues);
  const name =
    body.customer_name === undefined
      ? undefined
      : checkOptionalText(body.customer_name, ['body', 'customer_name'], issues);
  throwIfAny(issues);
  applyDiscountCode(store, checkout, body);
  if (email !== undefined) checkout.customer_email = email;
  if (name !== undefined) checkout.customer_name = name;
}

/** Polar's request transaction: a refused update or confirm leaves the checkout as it was. */
function inTransaction(checkout: StoredCheckout, run: () => void): void {
  const before = structuredClone(checkout);
  try {
    run();
  } catch (error) {
    for (const key of Object.keys(checkout)) delete checkout[key];
    Object.assign(checkout, before);
    throw error;
  }
}

function checkoutPage(store: BillingStore, checkout: StoredCheckout): string {
  const product = store.products.get(checkout.product_id)!;
  const amount = `$${(checkout.total_amount / 100).toFixed(2)}`;
  const interval = product.is_recurring ? ` / ${String(product.recurring_interval)}` : '';
  const parts = [
    `<h1>Checkout — ${escapeHtml(product.name)}</h1>`,
    `<p class="amount">${escapeHtml(amount + interval)}</p>`,
    `<p class="status">Status: <span data-status="${checkout.status}">${checkout.status}</span></p>`,
  ];
  if (checkout.status === 'open') {
    const action = `/checkout/${checkout.client_secret}`;
    const emailField = checkout.customer_email
      ? `<p>Paying as <span class="email">${escapeHtml(checkout.customer_email)}</span></p>`
      : `<label>E-mail <input type="email" name="customer_email" required></label>`;
    const codeField =
      checkout.allow_discount_codes && checkout.is_discount_applicable && checkout.discount_id === null
        ? `<label>Discount code <input type="text" name="discount_code"></label>`
        : '';
    parts.push(
      `<form method="post" action="${action}/pay">${emailField}${codeField}<button type="submit" name="outcome" value="pay">Pay</button></form>`,
      `<form method="post" action="${action}/decline"><button type="submit" name="outcome" value="decline">Decline</button></form>`,
    );
  }
  return page('Checkout', parts.join('\n'));
}

/** The checkout page's 404 for an unknown client secret. */
function sendMissingCheckout(ctx: RequestContext): void {
  sendText(
    ctx,
    404,
    page('Checkout', '<p class="error">This checkout does not exist.</p>'),
    'text/html; charset=utf-8',
  );
}

/** Pay / Decline from the checkout page: a form post, answered with a redirect to success_url or the page. */
async function submitPage(store: BillingStore, ctx: RequestContext, outcome: 'pay' | 'decline'): Promise<void> {
  const checkout = store.findCheckoutBySecret(ctx.params.client_secret);
  if (!checkout) return sendMissingCheckout(ctx);
  const form = new URLSearchParams(typeof ctx.body === 'string' ? ctx.body : '');
  const email = form.get('customer_email');
  try {
    const code = form.get('discount_code');
    inTransaction(checkout, () => {
      applyConfirm(store, checkout, {
        ...(email ? { customer_email: email } : {}),
        ...(code ? { discount_code: code } : {}),
      });
      store.confirm(checkout);
    });
    store.settle(checkout, outcome);
  } catch (error) {
    const message =
      error instanceof ValidationFailure
        ? error.issues.map((issue) => issue.msg).join(' ')
        : error instanceof Error && 'body' in error
          ? (error as { body: { detail: string } }).body.detail
          : undefined;
    if (message === undefined) throw error;
    return sendText(
      ctx,
      400,
      page('Checkout', `<p class="error">${escapeHtml(message)}</p>`),
      'text/html; charset=utf-8',
    );
  }
  const target = checkout.status === 'succeeded' ? store.successUrl(checkout) : `/checkout/${checkout.client_secret}`;
  ctx.record.status = 303;
  ctx.res.writeHead(303, { location: target, 'cache-control': 'private, no-store', 'content-length': '0' });
  ctx.res.end();
}

/** Routes of `/v1/checkouts/`, the client endpoints and the emulator's checkout page. */
export function checkoutRoutes(store: BillingStore, baseUrl: () => string, slug: string): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/checkouts/',
      scopes: READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const products = uuidFilter(ctx.query, 'product_id', issues);
        const customers = uuidFilter(ctx.query, 'customer_id', issues);
        const statuses = ctx.query.getAll('status');
        const external = ctx.query.getAll('external_customer_id');
        throwIfAny(issues);
        store.expireCheckouts();
        const items = [...store.checkouts.values()]
          .filter((c) => !products || products.includes(c.product_id))
          .filter((c) => !customers || (c.customer_id !== null && customers.includes(c.customer_id)))
          .filter(
            (c) =>
              external.length === 0 || (c.external_customer_id !== null && external.includes(c.external_customer_id)),
          )
          .filter((c) => statuses.length === 0 || statuses.includes(c.status))
          .reverse()
          .map((c) => store.checkoutView(c));
        sendPage(ctx, items, pagination);
      },
    },
    {
      method: 'POST',
      pattern: '/v1/checkouts/',
      scopes: WRITE,
      handle: (ctx) => {
        const checkout = store.addCheckout(parseCheckoutCreate(store, baseUrl(), ctx.body));
        sendJson(ctx, 201, store.checkoutView(checkout));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/checkouts/client/:client_secret',
      scopes: null,
      handle: (ctx) => sendJson(ctx, 200, publicView(store, bySecret(store, ctx), slug)),
    },
    {
      method: 'PATCH',
      pattern: '/v1/checkouts/client/:client_secret',
      scopes: null,
      handle: (ctx) => {
        const checkout = bySecret(store, ctx);
        if (checkout.status !== 'open') throw new CheckoutNotOpen(checkout);
        inTransaction(checkout, () => {
          applyConfirm(store, checkout, ctx.body);
          // Polar tells the buyer at once when the code is one they already used up (confirm checks again).
          const discount = store.discountOf(checkout.discount_id as string | null);
          if (discount && perCustomerLimitReached(discount, checkout, store.checkouts.values()))
            throw new DiscountRedemptionLimitReached();
        });
        checkout.modified_at = store.now();
        store.notifyCheckoutUpdated(checkout);
        sendJson(ctx, 200, publicView(store, checkout, slug));
      },
    },
    {
      method: 'POST',
      pattern: '/v1/checkouts/client/:client_secret/confirm',
      scopes: null,
      handle: (ctx) => {
        const checkout = bySecret(store, ctx);
        inTransaction(checkout, () => {
          applyConfirm(store, checkout, ctx.body);
          store.confirm(checkout);
        });
        // Polar answers `confirmed`; the payment outcome follows (here at once, always paid: Decline is on the page).
        const confirmed = publicView(store, checkout, slug);
        store.settle(checkout, 'pay');
        const session = store.customers.createSession(store.customers.findById(checkout.customer_id!)!, null, null);
        sendJson(ctx, 200, { ...confirmed, customer_id: checkout.customer_id, customer_session_token: session.token });
      },
    },
    {
      method: 'GET',
      pattern: '/v1/checkouts/:id',
      scopes: READ,
      handle: (ctx) => {
        store.expireCheckouts();
        sendJson(ctx, 200, store.checkoutView(lookup(store.checkouts, ctx)));
      },
    },
    ...['/checkout/:client_secret', '/checkout/:client_secret/confirmation'].map((pattern) => ({
      method: 'GET',
      pattern,
      scopes: null,
      handle: (ctx: RequestContext) => {
        const checkout = store.findCheckoutBySecret(ctx.params.client_secret);
        store.expireCheckouts();
        if (!checkout) return sendMissingCheckout(ctx);
        sendText(ctx, 200, checkoutPage(store, checkout), 'text/html; charset=utf-8');
      },
    })),
    {
      method: 'POST',
      pattern: '/checkout/:client_secret/pay',
      scopes: null,
      handle: (ctx) => submitPage(store, ctx, 'pay'),
    },
    {
      method: 'POST',
      pattern: '/checkout/:client_secret/decline',
      scopes: null,
      handle: (ctx) => submitPage(store, ctx, 'decline'),
    },
  ];
  return routes.map(billingRoute);
}
