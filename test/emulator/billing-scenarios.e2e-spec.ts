import { randomBytes } from 'node:crypto';
import { startEmulator, startReceiver, type EmulatorFixture, type Received } from './helpers.js';
import { specErrors } from './spec-schema.js';

const DAY = 24 * 60 * 60 * 1000;

/** The event type of a received delivery. */
const typeOf = (delivery: Received): string => (JSON.parse(delivery.body) as { type: string }).type;

describe('emulator: billing seeding, scenario helpers and trials', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let f: EmulatorFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stopSending: () => void;

  beforeAll(async () => {
    f = await startEmulator({ rateLimit: false });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await f.polar.stop();
    await receiver.close();
  });
  beforeEach(() => {
    f.polar.reset();
    receiver.received.length = 0;
    stopSending = f.polar.sendWebhooks({ url: receiver.url, secret, retryDelayMs: 10 });
  });
  afterEach(() => stopSending());

  async function delivered(): Promise<string[]> {
    await f.polar.waitForWebhooks();
    return receiver.received.map(typeOf);
  }

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
      expect(await delivered()).toEqual([
        'checkout.created',
        'checkout.updated',
        'order.created',
        'subscription.created',
        'checkout.updated',
        'order.updated',
        'order.paid',
        'subscription.active',
        'benefit_grant.created',
        'customer.state_changed',
      ]);
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
      expect(() =>
        f.polar.billing.purchase({ customer: '0b0e5c57-7a1f-4e0e-9d4b-3b1f2f0c9a11', product }),
      ).toThrow(/purchase: customer_id: Customer does not exist\./);
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
        ['subscription_cycle_after_trial', 2000, 'paid'],
      ]);
      expect(await delivered()).toEqual([
        'subscription.updated',
        'subscription.cycled',
        'order.created',
        'order.updated',
        'order.paid',
      ]);
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
        ['subscription_cycle_after_trial', 'pending'],
      ]);
    });
  });
});
