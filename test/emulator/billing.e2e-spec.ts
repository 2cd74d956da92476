import { webhooks } from '@polar-sh/sdk/2026-10';
import { api, detailOf, rejectionOf, type EmulatorFixture } from './helpers.js';
import { specErrors, webhookSchemaName } from './spec-schema.js';
import { billingSuite, typeOf, type BillingSuite } from './billing-suite.js';

const DAY = 24 * 60 * 60 * 1000;

/** What paying a subscription checkout (one benefit) sends after `checkout.updated` (confirmed) and any new customer. */
const SUBSCRIPTION_PAID_EVENTS = [
  'order.created',
  'subscription.created',
  'checkout.updated',
  'order.updated',
  'order.paid',
  'subscription.active',
  'benefit_grant.created',
  'customer.state_changed',
];

/** What a renewal paid at once sends, in Polar's order (a trial's end sends the same: it is a cycle). */
const PAID_RENEWAL_EVENTS = [
  'subscription.updated',
  'subscription.cycled',
  'order.created',
  'order.updated',
  'order.paid',
];

describe('emulator: billing lifecycle', () => {
  const suite = billingSuite();
  const { delivered, secret } = suite;
  let f: EmulatorFixture;
  let receiver: BillingSuite['receiver'];
  beforeEach(() => ({ f, receiver } = suite));

  async function monthlyProduct(name = 'Pro monthly') {
    const benefit = await f.sdk.benefits.create({
      type: 'custom',
      description: 'Pro features',
      properties: {},
      metadata: { feature: 'pro' },
    });
    const product = await f.sdk.products.create({
      name,
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: 2000 }],
    });
    await f.sdk.products.updateBenefits(product.id, { benefits: [benefit.id] });
    return { product: await f.sdk.products.get(product.id), benefit };
  }

  /** Creates a checkout and clicks Pay on the emulator's checkout page; returns the checkout after payment. */
  async function buy(productId: string, extra: Record<string, unknown> = {}) {
    const checkout = await f.sdk.checkouts.create({
      products: [productId],
      external_customer_id: 'user-1',
      customer_email: 'ada@mailinator.com',
      success_url: 'https://app.example.com/thanks?checkout_id={CHECKOUT_ID}',
      ...extra,
    });
    const pay = await fetch(`${checkout.url}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(pay.status).toBe(303);
    expect(pay.headers.get('location')).toBe(`https://app.example.com/thanks?checkout_id=${checkout.id}`);
    return f.sdk.checkouts.get(checkout.id);
  }

  describe('products', () => {
    it('creates recurring, one-time, custom, seat-based and metered products in the spec shape', async () => {
      const meter = await f.sdk.meters.create({
        name: 'API calls',
        filter: { conjunction: 'and', clauses: [{ property: 'name', operator: 'eq', value: 'api_call' }] },
        aggregation: { func: 'count' },
      });
      const created = [
        await f.sdk.products.create({
          name: 'Yearly',
          recurring_interval: 'year',
          prices: [{ amount_type: 'fixed', price_amount: 20000 }],
        }),
        await f.sdk.products.create({
          name: 'Free tier',
          recurring_interval: 'month',
          prices: [{ amount_type: 'fixed', price_amount: 0 }],
        }),
        await f.sdk.products.create({ name: 'Lifetime', prices: [{ amount_type: 'fixed', price_amount: 9900 }] }),
        await f.sdk.products.create({
          name: 'Tip jar',
          prices: [{ amount_type: 'custom', minimum_amount: 100, preset_amount: 500 }],
        }),
        await f.sdk.products.create({
          name: 'Team',
          recurring_interval: 'month',
          prices: [
            {
              amount_type: 'seat_based',
              seat_tiers: { tiers: [{ min_seats: 1, max_seats: null, price_per_seat: 1000 }] },
            },
          ],
        }),
        await f.sdk.products.create({
          name: 'Usage',
          recurring_interval: 'month',
          prices: [{ amount_type: 'metered_unit', meter_id: meter.id, unit_amount: '0.5' }],
        }),
      ];
      for (const product of created) expect(specErrors('Product', product)).toEqual([]);
      expect(created.map((p) => [p.is_recurring, p.recurring_interval])).toEqual([
        [true, 'year'],
        [true, 'month'],
        [false, null],
        [false, null],
        [true, 'month'],
        [true, 'month'],
      ]);
      const page = await f.sdk.products.list({ is_recurring: false });
      expect(page.items.map((p) => p.name)).toEqual(['Tip jar', 'Lifetime']);
      expect(page.pagination).toEqual({ total_count: 2, max_page: 1 });
    }, 30_000); // a harness deadline: the first spec check compiles the Product schema

    it('archives a product, which then cannot be bought', async () => {
      const { product } = await monthlyProduct();
      const archived = await f.sdk.products.update(product.id, { is_archived: true });
      expect(archived.is_archived).toBe(true);
      const { detail } = await detailOf(f.sdk.checkouts.create({ products: [product.id] }));
      expect(detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'products', 0],
          msg: 'Product does not exist or is archived.',
          input: product.id,
        },
      ]);
    });

    it("answers Polar's 422 for a too-short name and a price without its amount", async () => {
      const { detail } = await detailOf(
        f.sdk.products.create({ name: 'ab', prices: [{ amount_type: 'fixed' }] } as never),
      );
      expect(detail.map((d) => [d.type, d.loc])).toEqual([
        ['string_too_short', ['body', 'name']],
        ['missing', ['body', 'prices', 0, 'fixed', 'price_amount']],
      ]);
    });

    it('needs products:write to create and 404s an unknown product', async () => {
      f.polar.addToken('polar_oat_readonly', ['products:read']);
      const response = await api(f.polar, '/v1/products/', {
        method: 'POST',
        headers: { authorization: 'Bearer polar_oat_readonly' },
        body: JSON.stringify({ name: 'Nope', prices: [{ amount_type: 'fixed', price_amount: 100 }] }),
      });
      expect(response.status).toBe(403);
      const missing = await api(f.polar, '/v1/products/0b6a3c7e-9d2f-4b8a-8c1e-2f3a4b5c6d7e');
      expect(missing.status).toBe(404);
    });
  });

  describe('checkout and payment', () => {
    it('C30: a customer with a billable subscription is listed by active=true, not by active=false', async () => {
      const { product } = await monthlyProduct();
      await f.sdk.customers.create({ email: 'bystander@mailinator.com' });
      const paid = await buy(product.id);
      const active = await f.sdk.customers.list({ active: true });
      expect(active.items.map((customer) => customer.id)).toEqual([paid.customer_id]);
      const inactive = await f.sdk.customers.list({ active: false });
      expect(inactive.items.map((customer) => customer.email)).toEqual(['bystander@mailinator.com']);
    });

    it('pays a subscription: customer, order, subscription, grant and state, with webhooks in order', async () => {
      const { product, benefit } = await monthlyProduct();
      await f.polar.waitForWebhooks();
      receiver.received.length = 0;
      const checkout = await f.sdk.checkouts.create({
        products: [product.id],
        external_customer_id: 'user-1',
        customer_email: 'ada@mailinator.com',
        success_url: 'https://app.example.com/thanks?checkout_id={CHECKOUT_ID}',
        embed_origin: 'https://app.example.com',
        metadata: { plan: 'pro' },
      });
      expect(specErrors('Checkout', checkout)).toEqual([]);
      expect(checkout.status).toBe('open');
      expect(checkout.total_amount).toBe(2000);
      expect(checkout.client_secret).toMatch(/^polar_c_/);
      expect(checkout.success_url).toBe(`https://app.example.com/thanks?checkout_id=${checkout.id}`);

      const pageHtml = await (await fetch(checkout.url)).text();
      expect(pageHtml).toContain('>Pay</button>');
      expect(pageHtml).toContain('>Decline</button>');

      const paid = await buyExisting(checkout.url);
      expect(paid.status).toBe(303);
      const after = await f.sdk.checkouts.get(checkout.id);
      expect(after.status).toBe('succeeded');
      expect(f.polar.requests.map((r) => r.path).join(' ')).not.toContain(checkout.client_secret);
      expect(after.subscription_id).not.toBeNull();

      const customer = await f.sdk.customers.getExternal('user-1');
      expect(customer.email).toBe('ada@mailinator.com');
      const state = await f.sdk.customers.getStateExternal('user-1');
      expect(specErrors('CustomerState', state)).toEqual([]);
      expect(state.active_subscriptions.map((s) => [s.product_id, s.status, s.amount])).toEqual([
        [product.id, 'active', 2000],
      ]);
      expect(state.granted_benefits.map((g) => [g.benefit_id, g.benefit_metadata])).toEqual([
        [benefit.id, { feature: 'pro' }],
      ]);

      const orders = await f.sdk.orders.list({ customer_id: customer.id });
      expect(orders.items.map((o) => [o.status, o.paid, o.billing_reason, o.total_amount])).toEqual([
        ['paid', true, 'subscription_create', 2000],
      ]);
      expect(specErrors('Order', orders.items[0])).toEqual([]);
      const subscription = await f.sdk.subscriptions.get(after.subscription_id!);
      expect(specErrors('Subscription', subscription)).toEqual([]);
      expect(subscription.metadata).toEqual({ plan: 'pro' });

      // The customer the checkout created and its state are announced by Polar's worker after the
      // commit (audit W7), so after the events the payment sent from the request, in job order.
      expect(await delivered()).toEqual([
        'checkout.created',
        'checkout.updated',
        ...SUBSCRIPTION_PAID_EVENTS.filter((type) => type !== 'customer.state_changed'),
        'customer.created',
        'customer.state_changed',
        'customer.state_changed',
      ]);
    });

    async function buyExisting(url: string): Promise<Response> {
      return fetch(`${url}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
        redirect: 'manual',
      });
    }

    it('W9: signs every delivery like Polar and every payload matches its webhook schema', async () => {
      const { product } = await monthlyProduct();
      const { subscription_id: subscriptionId } = await buy(product.id);
      f.polar.billing.advanceTime(31 * DAY); // renewal
      f.polar.billing.failNextPayments(1);
      f.polar.billing.advanceTime(31 * DAY); // failed renewal: past_due
      f.polar.billing.advanceTime(2 * DAY); // dunning retry succeeds
      await f.sdk.subscriptions.update(subscriptionId!, { cancel_at_period_end: true });
      await f.sdk.subscriptions.update(subscriptionId!, { cancel_at_period_end: false });
      await f.sdk.subscriptions.revoke(subscriptionId!);
      const declined = await f.sdk.checkouts.create({ products: [product.id], customer_email: 'x@mailinator.com' });
      f.polar.billing.decline(declined.id);
      await f.sdk.checkouts.create({ products: [product.id] });
      f.polar.billing.advanceTime(60 * 60 * 1000); // expires the open checkout
      const types = new Set(await delivered());
      expect([...types].sort()).toEqual([
        'benefit.created',
        'benefit_grant.created',
        'benefit_grant.revoked',
        'checkout.created',
        'checkout.expired',
        'checkout.updated',
        'customer.created',
        'customer.state_changed',
        'order.created',
        'order.paid',
        'order.updated',
        'product.created',
        'product.updated',
        'subscription.active',
        'subscription.canceled',
        'subscription.created',
        'subscription.cycled',
        'subscription.past_due',
        'subscription.revoked',
        'subscription.uncanceled',
        'subscription.updated',
      ]);
      for (const delivery of receiver.received) {
        const headers = Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k, String(v)]));
        const type = typeOf(delivery);
        const event = await webhooks.validateEvent(delivery.body, headers, secret);
        expect(event.type).toBe(type);
        expect([type, specErrors(webhookSchemaName(type), JSON.parse(delivery.body))]).toEqual([type, []]);
      }
    }, 30_000); // a harness deadline: compiling the spec's webhook schemas takes a few seconds

    it('buys a one-time product: an order (purchase) and a grant, no subscription', async () => {
      const product = await f.sdk.products.create({
        name: 'Lifetime',
        prices: [{ amount_type: 'fixed', price_amount: 9900 }],
      });
      const checkout = await buy(product.id);
      expect(checkout.subscription_id).toBeNull();
      expect(f.polar.billing.orders.map((o) => [o.billing_reason, o.status])).toEqual([['purchase', 'paid']]);
      expect(f.polar.billing.subscriptions).toEqual([]);
    });

    it('refuses a second checkout for a customer who already has an active subscription (403)', async () => {
      const { product } = await monthlyProduct();
      await buy(product.id);
      const customer = await f.sdk.customers.getExternal('user-1');
      const error = await rejectionOf(f.sdk.checkouts.create({ products: [product.id], customer_id: customer.id }));
      expect(error.statusCode).toBe(403);
      expect(JSON.parse(String(error.error))).toEqual({
        error: 'AlreadyActiveSubscriptionError',
        detail: 'You already have an active subscription.',
      });
    });

    it('declines: the checkout fails and nothing is created', async () => {
      const { product } = await monthlyProduct();
      const checkout = await f.sdk.checkouts.create({ products: [product.id], customer_email: 'bob@mailinator.com' });
      const response = await fetch(`${checkout.url}/decline`, { method: 'POST', redirect: 'manual' });
      expect(response.status).toBe(303);
      expect((await f.sdk.checkouts.get(checkout.id)).status).toBe('failed');
      expect(f.polar.billing.orders).toEqual([]);
      expect(f.polar.customers).toEqual([]);
      const again = await rejectionOf(f.sdk.checkouts.clientConfirm(checkout.client_secret, {}));
      expect(again.statusCode).toBe(403);
    });

    it('confirms through the client endpoints the SDK uses and returns a customer session token', async () => {
      const { product } = await monthlyProduct();
      const checkout = await f.sdk.checkouts.create({ products: [product.id] });
      const publicView = await f.sdk.checkouts.clientGet(checkout.client_secret);
      expect(specErrors('CheckoutPublic', publicView)).toEqual([]);
      const { detail } = await detailOf(f.sdk.checkouts.clientConfirm(checkout.client_secret, {}));
      expect(detail).toEqual([
        { type: 'missing', loc: ['body', 'customer_email'], msg: 'Field required', input: null },
      ]);
      const confirmed = await f.sdk.checkouts.clientConfirm(checkout.client_secret, {
        customer_email: 'cy@mailinator.com',
      });
      expect(specErrors('CheckoutPublicConfirmed', confirmed)).toEqual([]);
      expect(confirmed.status).toBe('confirmed');
      expect((await f.sdk.checkouts.get(checkout.id)).status).toBe('succeeded');
      expect(confirmed.customer_session_token).toMatch(/^polar_cst_/);
    });

    it('expires an open checkout after an hour', async () => {
      const { product } = await monthlyProduct();
      const checkout = await f.sdk.checkouts.create({ products: [product.id] });
      f.polar.billing.advanceTime(60 * 60 * 1000);
      expect((await f.sdk.checkouts.get(checkout.id)).status).toBe('expired');
      expect(await delivered()).toContain('checkout.expired');
    });

    it("validates the checkout body with Polar's 422 shapes", async () => {
      const { detail } = await detailOf(
        f.sdk.checkouts.create({ products: ['not-a-uuid'], customer_email: 'nope', success_url: 'ftp://x' } as never),
      );
      expect(detail.map((d) => [d.type, d.loc])).toEqual([
        ['uuid_parsing', ['body', 'products', 0]],
        ['value_error', ['body', 'customer_email']],
        ['url_scheme', ['body', 'success_url']],
      ]);
    });
  });

  describe('renewals, failed payments and cancellation', () => {
    async function subscribed() {
      const { product, benefit } = await monthlyProduct();
      const checkout = await buy(product.id);
      await f.polar.waitForWebhooks();
      receiver.received.length = 0;
      return { product, benefit, subscriptionId: checkout.subscription_id! };
    }

    it('renews at period end: a new paid order and the next period', async () => {
      const { subscriptionId } = await subscribed();
      const before = await f.sdk.subscriptions.get(subscriptionId);
      f.polar.billing.advanceTime(31 * DAY);
      const after = await f.sdk.subscriptions.get(subscriptionId);
      expect(after.current_period_start).toEqual(before.current_period_end);
      expect(after.status).toBe('active');
      expect(f.polar.billing.orders.map((o) => [o.billing_reason, o.status])).toEqual([
        ['subscription_create', 'paid'],
        ['subscription_cycle', 'paid'],
      ]);
      expect(await delivered()).toEqual(PAID_RENEWAL_EVENTS);
    });

    it('a failed renewal makes it past_due; the dunning retry two days later recovers it', async () => {
      const { subscriptionId } = await subscribed();
      f.polar.billing.failNextPayments(1);
      f.polar.billing.advanceTime(31 * DAY);
      expect((await f.sdk.subscriptions.get(subscriptionId)).status).toBe('past_due');
      expect(await delivered()).toEqual([
        'subscription.updated',
        'subscription.cycled',
        'order.created',
        'order.updated',
        'subscription.updated',
        'subscription.past_due',
        'customer.state_changed',
      ]);
      expect(f.polar.billing.orders[1]).toMatchObject({ status: 'pending', paid: false });
      f.polar.billing.advanceTime(DAY);
      expect((await f.sdk.subscriptions.get(subscriptionId)).status).toBe('past_due');
      f.polar.billing.advanceTime(DAY);
      expect((await f.sdk.subscriptions.get(subscriptionId)).status).toBe('active');
      expect(f.polar.billing.orders[1]).toMatchObject({ status: 'paid', paid: true });
    });

    it('revokes the subscription after the last dunning retry fails', async () => {
      const { subscriptionId } = await subscribed();
      f.polar.billing.failNextPayments(5);
      f.polar.billing.advanceTime(31 * DAY);
      for (const days of [2, 5, 7]) {
        f.polar.billing.advanceTime(days * DAY);
        expect((await f.sdk.subscriptions.get(subscriptionId)).status).toBe('past_due');
      }
      f.polar.billing.advanceTime(7 * DAY);
      const ended = await f.sdk.subscriptions.get(subscriptionId);
      expect(ended.status).toBe('canceled');
      expect(await delivered()).toContain('benefit_grant.revoked');
      expect((await f.sdk.customers.getStateExternal('user-1')).granted_benefits).toEqual([]);
    });

    it('cancels at period end through subscriptions.update, uncancels, and ends with benefits revoked', async () => {
      const { subscriptionId } = await subscribed();
      const canceled = await f.sdk.subscriptions.update(subscriptionId, {
        cancel_at_period_end: true,
        customer_cancellation_reason: 'too_expensive',
      });
      expect(canceled.cancel_at_period_end).toBe(true);
      expect(canceled.ends_at).toBe(canceled.current_period_end);
      const uncanceled = await f.sdk.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
      expect(uncanceled.ends_at).toBeNull();
      await f.sdk.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
      expect(await delivered()).toEqual([
        'subscription.updated',
        'subscription.canceled',
        'customer.state_changed',
        'subscription.updated',
        'subscription.uncanceled',
        'customer.state_changed',
        'subscription.updated',
        'subscription.canceled',
        'customer.state_changed',
      ]);
      await f.polar.waitForWebhooks();
      receiver.received.length = 0;
      f.polar.billing.advanceTime(31 * DAY);
      const ended = await f.sdk.subscriptions.get(subscriptionId);
      expect(ended.status).toBe('canceled');
      expect(ended.ended_at).not.toBeNull();
      expect(f.polar.billing.orders).toHaveLength(1);
      expect(await delivered()).toEqual([
        'subscription.updated',
        'subscription.revoked',
        'benefit_grant.revoked',
        'customer.state_changed',
      ]);
      const state = await f.sdk.customers.getStateExternal('user-1');
      expect(state.active_subscriptions).toEqual([]);
      expect(state.granted_benefits).toEqual([]);
    });

    it('revokes now through subscriptions.revoke; a second revoke is 403 AlreadyCanceledSubscription', async () => {
      const { subscriptionId } = await subscribed();
      const revoked = await f.sdk.subscriptions.revoke(subscriptionId);
      expect(revoked.status).toBe('canceled');
      const again = await rejectionOf(f.sdk.subscriptions.revoke(subscriptionId));
      expect(again.statusCode).toBe(403);
      expect(again.error).toMatchObject({ error: 'AlreadyCanceledSubscription' });
      // The customer may buy again once nothing billable is left.
      const { product } = await monthlyProduct('Pro again');
      expect((await buy(product.id)).status).toBe('succeeded');
    });
  });

  describe('usage: events and meters', () => {
    it('ingests events, drops duplicates by external_id, and meters count and sum into customer state', async () => {
      const customer = await f.sdk.customers.create({ email: 'meter@mailinator.com', external_id: 'user-9' });
      const calls = await f.sdk.meters.create({
        name: 'API calls',
        filter: { conjunction: 'and', clauses: [{ property: 'name', operator: 'eq', value: 'api_call' }] },
        aggregation: { func: 'count' },
      });
      const tokens = await f.sdk.meters.create({
        name: 'Tokens',
        filter: { conjunction: 'and', clauses: [{ property: 'name', operator: 'eq', value: 'completion' }] },
        aggregation: { func: 'sum', property: 'metadata.tokens' },
      });
      expect(specErrors('Meter', tokens)).toEqual([]);
      const first = await f.sdk.events.ingest({
        events: [
          { name: 'api_call', external_customer_id: 'user-9', external_id: 'evt-1' },
          { name: 'api_call', customer_id: customer.id, external_id: 'evt-2' },
          { name: 'completion', external_customer_id: 'user-9', metadata: { tokens: 120 } },
          { name: 'completion', external_customer_id: 'user-9', metadata: { tokens: 30 } },
        ],
      });
      expect(first).toEqual({ inserted: 4, duplicates: 0 });
      const retry = await f.sdk.events.ingest({
        events: [
          { name: 'api_call', external_customer_id: 'user-9', external_id: 'evt-1' },
          { name: 'api_call', external_customer_id: 'user-9', external_id: 'evt-3' },
        ],
      });
      expect(retry).toEqual({ inserted: 1, duplicates: 1 });
      const state = await f.sdk.customers.getState(customer.id);
      const byMeter = Object.fromEntries(state.active_meters.map((m) => [m.meter_id, [m.consumed_units, m.balance]]));
      expect(byMeter).toEqual({ [calls.id]: [3, -3], [tokens.id]: [150, -150] });
      expect((await f.sdk.meters.list({})).items.map((m) => m.name)).toEqual(['Tokens', 'API calls']);
    });

    it('rejects the whole batch when an event names an unknown customer id', async () => {
      const { detail } = await detailOf(
        f.sdk.events.ingest({
          events: [
            { name: 'ok', external_customer_id: 'x' },
            { name: 'bad', customer_id: '0b6a3c7e-9d2f-4b8a-8c1e-2f3a4b5c6d7e' },
          ],
        }),
      );
      expect(detail.map((d) => [d.type, d.loc, d.msg])).toEqual([
        ['customer_id', ['body', 'events', 1, 'customer_id'], 'Customer not found.'],
      ]);
      expect(f.polar.billing.events).toEqual([]);
    });

    it('validates meter filters and aggregations', async () => {
      const { detail } = await detailOf(
        f.sdk.meters.create({
          name: 'Bad',
          filter: { conjunction: 'xor', clauses: [] },
          aggregation: { func: 'sum' },
        } as never),
      );
      expect(detail.map((d) => [d.type, d.loc])).toEqual([
        ['enum', ['body', 'filter', 'conjunction']],
        ['missing', ['body', 'aggregation', 'sum', 'property']],
      ]);
    });
  });

  // ---- seeding, scenario helpers and trials -----------------------------------------------------------------

  async function proWithBenefit() {
    const benefit = await f.sdk.benefits.create({ type: 'custom', description: 'Pro features', properties: {} });
    const product = f.polar.billing.seedProduct({
      name: 'Pro monthly',
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: 2000 }],
      benefits: [benefit.id],
    });
    return { benefit, product };
  }

  describe('seedProduct', () => {
    it('stores a product the API returns as it was seeded, in the spec shape', async () => {
      const { benefit, product } = await proWithBenefit();
      expect(specErrors('Product', product)).toEqual([]);
      const fetched = await f.sdk.products.get(product.id);
      expect(fetched).toEqual(product);
      expect(fetched.benefits.map((b) => b.id)).toEqual([benefit.id]);
      expect(await delivered()).toEqual(['benefit.created', 'product.created', 'product.updated']);
    });

    it('validates like products.create and names the field and rule', () => {
      expect(() => f.polar.billing.seedProduct({ name: 'X', prices: [] })).toThrow(/seedProduct: name: .*at least 3/);
      expect(() =>
        f.polar.billing.seedProduct({
          name: 'Pro',
          prices: [{ amount_type: 'fixed', price_amount: 100 }],
          benefits: ['0b0e5c57-7a1f-4e0e-9d4b-3b1f2f0c9a11'],
        }),
      ).toThrow(/seedProduct: benefits\.0: Benefit does not exist\./);
      expect(f.polar.billing.products).toEqual([]);
    });
  });

  describe('purchase and seedSubscription', () => {
    it('purchase runs the Pay path: same webhooks, order, subscription and grants in getState', async () => {
      const { benefit, product } = await proWithBenefit();
      const customer = f.polar.seedCustomer({ email: 'ada@mailinator.com', external_id: 'user-1' });
      await delivered();
      receiver.received.length = 0;

      const bought = f.polar.billing.purchase({ customer, product });

      expect(bought.checkout.status).toBe('succeeded');
      expect(bought.order).toMatchObject({ status: 'paid', billing_reason: 'subscription_create', total_amount: 2000 });
      expect(bought.subscription).toMatchObject({ status: 'active', product_id: product.id, customer_id: customer.id });
      expect(specErrors('Subscription', bought.subscription)).toEqual([]);
      expect(specErrors('Order', bought.order)).toEqual([]);
      const state = await f.sdk.customers.getStateExternal('user-1');
      expect(state.active_subscriptions.map((s) => s.id)).toEqual([bought.subscription!.id]);
      expect(state.granted_benefits.map((g) => g.benefit_id)).toEqual([benefit.id]);
      expect(await delivered()).toEqual(['checkout.created', 'checkout.updated', ...SUBSCRIPTION_PAID_EVENTS]);
    });

    it('seedSubscription returns the subscription the SDK lists, and a second one is refused as Polar refuses it', async () => {
      const { product } = await proWithBenefit();
      const customer = f.polar.seedCustomer({ email: 'bob@mailinator.com' });
      const subscription = f.polar.billing.seedSubscription({ customer: customer.id, product: product.id });
      const listed = await f.sdk.subscriptions.list({ customer_id: customer.id });
      expect(listed.items.map((s) => s.id)).toEqual([subscription.id]);
      expect(() => f.polar.billing.seedSubscription({ customer, product })).toThrow(
        /seedSubscription: You already have an active subscription\./,
      );
      expect(f.polar.billing.subscriptions).toHaveLength(1);
    });

    it('a one-time purchase creates a paid order and no subscription; seedSubscription refuses a one-time product', async () => {
      const product = f.polar.billing.seedProduct({
        name: 'Lifetime',
        prices: [{ amount_type: 'fixed', price_amount: 9900 }],
      });
      const customer = f.polar.seedCustomer({ email: 'cy@mailinator.com' });
      const bought = f.polar.billing.purchase({ customer, product });
      expect(bought.subscription).toBeNull();
      expect(bought.order).toMatchObject({ status: 'paid', billing_reason: 'purchase', total_amount: 9900 });
      expect(() => f.polar.billing.seedSubscription({ customer, product })).toThrow(/is not recurring/);
      expect(f.polar.billing.orders).toHaveLength(1);
    });

    it('an unknown customer is refused before anything is stored', () => {
      const product = f.polar.billing.seedProduct({ name: 'Pro', prices: [{ amount_type: 'fixed', price_amount: 0 }] });
      expect(() => f.polar.billing.purchase({ customer: '0b0e5c57-7a1f-4e0e-9d4b-3b1f2f0c9a11', product })).toThrow(
        /purchase: customer_id: Customer does not exist\./,
      );
      expect(f.polar.billing.orders).toEqual([]);
    });
  });
  describe('trials', () => {
    async function trialProduct() {
      const benefit = await f.sdk.benefits.create({ type: 'custom', description: 'Pro features', properties: {} });
      const product = await f.sdk.products.create({
        name: 'Pro with trial',
        recurring_interval: 'month',
        trial_interval: 'day',
        trial_interval_count: 14,
        prices: [{ amount_type: 'fixed', price_amount: 2000 }],
      });
      await f.sdk.products.updateBenefits(product.id, { benefits: [benefit.id] });
      return { benefit, product };
    }

    it('a checkout of a product with a trial pays nothing and starts a trialing subscription with its benefits', async () => {
      const { benefit, product } = await trialProduct();
      const checkout = await f.sdk.checkouts.create({
        products: [product.id],
        external_customer_id: 'user-t',
        customer_email: 'tia@mailinator.com',
      });
      const trialEnd = new Date(checkout.created_at).getTime() + 14 * DAY;
      expect(new Date(checkout.trial_end!).getTime()).toBe(trialEnd);
      const paid = await fetch(`${checkout.url}/pay`, { method: 'POST', redirect: 'manual' });
      expect(paid.status).toBe(303);

      const [subscription] = f.polar.billing.subscriptions;
      expect(subscription).toMatchObject({ status: 'trialing', amount: 2000 });
      expect(new Date(subscription.trial_end as string).getTime()).toBe(trialEnd);
      expect(subscription.current_period_end).toBe(subscription.trial_end);
      expect(subscription.trial_start).toBe(subscription.current_period_start);
      expect(specErrors('Subscription', subscription)).toEqual([]);
      expect(f.polar.billing.orders.map((o) => [o.billing_reason, o.total_amount, o.status])).toEqual([
        ['subscription_create', 0, 'paid'],
      ]);
      const state = await f.sdk.customers.getStateExternal('user-t');
      expect(state.active_subscriptions.map((s) => s.status)).toEqual(['trialing']);
      expect(state.granted_benefits.map((g) => g.benefit_id)).toEqual([benefit.id]);
    });

    it('advanceTime past the trial end converts it: active, first paid order after trial, Polar cycle webhooks', async () => {
      const { product } = await trialProduct();
      const customer = f.polar.seedCustomer({ email: 'tom@mailinator.com', external_id: 'user-c' });
      const trialing = f.polar.billing.seedSubscription({ customer, product });
      expect(trialing.status).toBe('trialing');

      f.polar.billing.advanceTime(13 * DAY);
      expect(f.polar.billing.subscriptions[0].status).toBe('trialing');
      await delivered();
      receiver.received.length = 0;

      f.polar.billing.advanceTime(1 * DAY);
      const [active] = f.polar.billing.subscriptions;
      expect(active.status).toBe('active');
      expect(active.current_period_start).toBe(trialing.trial_end);
      expect(active.trial_end).toBe(trialing.trial_end);
      expect(specErrors('Subscription', active)).toEqual([]);
      expect(f.polar.billing.orders.map((o) => [o.billing_reason, o.total_amount, o.status])).toEqual([
        ['subscription_create', 0, 'paid'],
        ['subscription_cycle', 2000, 'paid'],
      ]);
      expect(await delivered()).toEqual(PAID_RENEWAL_EVENTS);
      const state = await f.sdk.customers.getStateExternal('user-c');
      expect(state.active_subscriptions.map((s) => s.status)).toEqual(['active']);
    });

    it('a declined payment at the trial end makes the subscription past_due', async () => {
      const { product } = await trialProduct();
      const customer = f.polar.seedCustomer({ email: 'pam@mailinator.com' });
      f.polar.billing.seedSubscription({ customer, product });
      f.polar.billing.failNextPayments(1);
      f.polar.billing.advanceTime(14 * DAY);
      expect(f.polar.billing.subscriptions[0].status).toBe('past_due');
      expect(f.polar.billing.orders.map((o) => [o.billing_reason, o.status])).toEqual([
        ['subscription_create', 'paid'],
        ['subscription_cycle', 'pending'],
      ]);
    });
  });
});
