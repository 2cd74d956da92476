import { randomUUID } from 'node:crypto';
import { errors } from '@polar-sh/sdk/2026-10';
import { detailOf, failureOf, manualClock, rejectionOf, type EmulatorFixture } from './helpers.js';
import { specErrors } from './spec-schema.js';
import { billingSuite } from './billing-suite.js';

/*
 * What happens after the sale, as Polar's server does it: refunds, license keys, plan and seat changes with
 * proration, meter credits and customer meters. Every call goes over HTTP through the official SDK.
 */

const DAY = 24 * 60 * 60 * 1000;
/** A harness deadline for tests that check payloads against the spec's webhook schemas (compiled on first use). */
const SCHEMA_CHECK_MS = 30_000;

/** Polar's `_calculate_time_proration`: the share of the period left at `now`. */
function remainingShare(
  subscription: { current_period_start: Date | string; current_period_end: Date | string | null },
  now: Date,
) {
  const start = new Date(subscription.current_period_start).getTime();
  const end = new Date(subscription.current_period_end!).getTime();
  return (end - now.getTime()) / (end - start);
}

describe('emulator: refunds, license keys, plan and seat changes, meter credits', () => {
  const time = manualClock('2026-10-01T12:00:00.000Z');
  const suite = billingSuite({ clock: time.clock }, 'order.refunded');
  const { delivered, expectSpecPayloads, customer } = suite;
  let f: EmulatorFixture;
  beforeEach(() => ({ f } = suite));

  const now = () => f.polar.billing.now();

  async function monthly(name: string, amount: number, benefits: string[] = []) {
    const product = await f.sdk.products.create({
      name,
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: amount }],
    });
    if (benefits.length > 0) await f.sdk.products.updateBenefits(product.id, { benefits });
    return f.sdk.products.get(product.id);
  }

  describe('refunds', () => {
    async function oneTimePurchase() {
      const benefit = await f.sdk.benefits.create({ type: 'custom', description: 'Lifetime access', properties: {} });
      const product = await f.sdk.products.create({
        name: 'Lifetime',
        prices: [{ amount_type: 'fixed', price_amount: 10000 }],
      });
      await f.sdk.products.updateBenefits(product.id, { benefits: [benefit.id] });
      const buyer = await customer();
      const { order } = f.polar.billing.purchase({ customer: buyer, product });
      return { benefit, buyer, order };
    }

    it(
      'a partial then a full refund: refunded_amount, partially_refunded → refunded, webhooks in order',
      async () => {
        const { order } = await oneTimePurchase();
        const from = (await delivered()).length;
        const partial = await f.sdk.refunds.create({ order_id: order.id, reason: 'customer_request', amount: 2500 });
        expect(partial).toMatchObject({
          status: 'succeeded',
          amount: 2500,
          tax_amount: 0,
          order_id: order.id,
          subscription_id: null,
          revoke_benefits: false,
          dispute: null,
        });
        expect(specErrors('Refund', partial)).toEqual([]);
        expect(await f.sdk.orders.get(order.id)).toMatchObject({
          status: 'partially_refunded',
          refunded_amount: 2500,
          refundable_amount: 7500,
        });
        await f.sdk.refunds.create({
          order_id: order.id,
          reason: 'duplicate',
          amount: 7500,
          metadata: { ticket: 'T-1' },
        });
        expect(await f.sdk.orders.get(order.id)).toMatchObject({ status: 'refunded', refunded_amount: 10000 });
        expect(await delivered(from)).toEqual([
          'refund.created',
          'order.updated',
          'order.refunded',
          'refund.created',
          'order.updated',
          'order.refunded',
        ]);
        const refunds = await f.sdk.refunds.list({ order_id: order.id });
        expect(refunds.items.map((refund) => refund.amount)).toEqual([7500, 2500]);
        expect(refunds.items[0].metadata).toEqual({ ticket: 'T-1' });
        const again = await failureOf(f.sdk.refunds.create({ order_id: order.id, reason: 'other', amount: 1 }));
        expect(again).toEqual({
          status: 403,
          body: { error: 'RefundedAlready', detail: `Order is already fully refunded: ${order.id}` },
        });
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it(
      'revoke_benefits on a one-time order revokes its grant; on a subscription order it is refused',
      async () => {
        const { buyer, benefit, order } = await oneTimePurchase();
        const from = (await delivered()).length;
        await f.sdk.refunds.create({ order_id: order.id, reason: 'fraudulent', amount: 10000, revoke_benefits: true });
        expect(await delivered(from)).toEqual([
          'refund.created',
          'order.updated',
          'order.refunded',
          'benefit_grant.revoked',
          'customer.state_changed',
        ]);
        const state = await f.sdk.customers.getState(buyer.id);
        expect(state.granted_benefits.map((grant) => grant.benefit_id)).not.toContain(benefit.id);

        const product = await monthly('Pro', 2000);
        const subscriber = await customer();
        const { order: renewalOrder } = f.polar.billing.purchase({ customer: subscriber, product });
        expect(
          await failureOf(
            f.sdk.refunds.create({ order_id: renewalOrder.id, reason: 'other', amount: 100, revoke_benefits: true }),
          ),
        ).toEqual({
          status: 400,
          body: {
            error: 'RevokeSubscriptionBenefitsProhibited',
            detail: 'Subscription benefits can only be revoked upon cancellation',
          },
        });
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it("answers Polar's 422 for an unknown order, an amount above what is refundable, and a bad reason", async () => {
      const { order } = await oneTimePurchase();
      const unknown = await detailOf(f.sdk.refunds.create({ order_id: randomUUID(), reason: 'other', amount: 1 }));
      expect(unknown.detail).toEqual([
        expect.objectContaining({ type: 'value_error', loc: ['body', 'order_id'], msg: 'Order not found' }),
      ]);
      const tooMuch = await detailOf(f.sdk.refunds.create({ order_id: order.id, reason: 'other', amount: 10001 }));
      expect(tooMuch.detail).toEqual([
        expect.objectContaining({ loc: ['body', 'amount'], msg: 'Refund amount exceeds refundable amount' }),
      ]);
      const zero = await detailOf(f.sdk.refunds.create({ order_id: order.id, reason: 'other', amount: 0 }));
      expect(zero.detail[0]).toMatchObject({ type: 'greater_than', loc: ['body', 'amount'] });
      expect((await f.sdk.orders.get(order.id)).refunded_amount).toBe(0);
    });

    it('a renewal order that was never paid is 404 RefundUnknownPayment', async () => {
      const product = await monthly('Pro', 2000);
      const subscription = f.polar.billing.seedSubscription({ customer: await customer(), product });
      f.polar.billing.failNextPayments(1);
      f.polar.billing.advanceTime(32 * DAY); // the renewal fails: its order stays pending
      const pending = f.polar.billing.orders.find(
        (o) => o.subscription_id === subscription.id && o.status === 'pending',
      )!;
      expect(await failureOf(f.sdk.refunds.create({ order_id: pending.id, reason: 'other', amount: 100 }))).toEqual({
        status: 404,
        body: { error: 'RefundUnknownPayment', detail: `Refund issued for unknown order: ${pending.id}` },
      });
    });
  });

  describe('license keys', () => {
    async function keyProduct(properties: Record<string, unknown>) {
      const benefit = await f.sdk.benefits.create({
        type: 'license_keys',
        description: 'Desktop app license',
        properties,
      });
      const product = await f.sdk.products.create({
        name: 'Desktop app',
        prices: [{ amount_type: 'fixed', price_amount: 4900 }],
      });
      await f.sdk.products.updateBenefits(product.id, { benefits: [benefit.id] });
      const buyer = await customer();
      const { order } = f.polar.billing.purchase({ customer: buyer, product });
      const keys = await f.sdk.licenseKeys.list({ benefit_id: benefit.id });
      expect(keys.items).toHaveLength(1);
      return { benefit, buyer, order, key: keys.items[0] };
    }

    it('a purchase grants a key; the public validate counts validations and usage up to limit_usage', async () => {
      const { benefit, buyer, key } = await keyProduct({ prefix: 'desk', limit_usage: 3 });
      expect(key.key).toMatch(/^DESK-[0-9A-F-]{36}$/);
      expect(key).toMatchObject({ status: 'granted', display_key: `****-${key.key.slice(-6)}`, customer_id: buyer.id });
      expect(specErrors('LicenseKeyRead', key)).toEqual([]);
      const grant = f.polar.billing.benefitGrants.find((candidate) => candidate.benefit_id === benefit.id)!;
      expect(grant.properties).toEqual({ license_key_id: key.id, display_key: key.display_key });

      const organization_id = f.polar.organizationId;
      const validated = await f.sdk.customerPortal.licenseKeys.validate({
        key: key.key,
        organization_id,
        increment_usage: 2,
      });
      expect(validated).toMatchObject({ validations: 1, usage: 2, activation: null });
      expect(specErrors('ValidatedLicenseKey', validated)).toEqual([]);
      const over = await failureOf(
        f.sdk.customerPortal.licenseKeys.validate({ key: key.key, organization_id, increment_usage: 2 }),
      );
      expect(over).toEqual({
        status: 400,
        body: { error: 'BadRequest', detail: 'License key only has 1 more usages.' },
      });
      const wrongUser = await failureOf(
        f.sdk.licenseKeys.validate({ key: key.key, organization_id, customer_id: randomUUID() }),
      );
      expect(wrongUser).toEqual({
        status: 404,
        body: { error: 'ResourceNotFound', detail: 'License key does not match given user.' },
      });
      const elsewhere = await rejectionOf(
        f.sdk.customerPortal.licenseKeys.validate({ key: key.key, organization_id: randomUUID() }),
      );
      expect(elsewhere).toBeInstanceOf(errors.ResourceNotFound);
    });

    it('activates up to the limit (403 after), validates an activation, deactivates it (204)', async () => {
      const { key } = await keyProduct({ activations: { limit: 2, enable_customer_admin: true } });
      const organization_id = f.polar.organizationId;
      const first = await f.sdk.customerPortal.licenseKeys.activate({
        key: key.key,
        organization_id,
        label: 'MacBook',
        conditions: { machine: 'mbp-1' },
        meta: { os: 'macos' },
      });
      expect(first).toMatchObject({ license_key_id: key.id, label: 'MacBook', meta: { os: 'macos' } });
      expect(specErrors('LicenseKeyActivationRead', first)).toEqual([]);
      await f.sdk.customerPortal.licenseKeys.activate({ key: key.key, organization_id, label: 'Desktop' });
      const third = await failureOf(
        f.sdk.customerPortal.licenseKeys.activate({ key: key.key, organization_id, label: 'Laptop' }),
      );
      expect(third).toEqual({
        status: 403,
        body: { error: 'NotPermitted', detail: 'License key activation limit already reached' },
      });
      const validated = await f.sdk.customerPortal.licenseKeys.validate({
        key: key.key,
        organization_id,
        activation_id: first.id,
        conditions: { machine: 'mbp-1' },
      });
      expect(validated.activation?.id).toBe(first.id);
      const otherMachine = await failureOf(
        f.sdk.customerPortal.licenseKeys.validate({
          key: key.key,
          organization_id,
          activation_id: first.id,
          conditions: { machine: 'other' },
        }),
      );
      expect(otherMachine.body.detail).toBe('License key does not match required conditions');
      expect((await f.sdk.licenseKeys.get(key.id)).activations.map((a) => a.label)).toEqual(['MacBook', 'Desktop']);
      await f.sdk.customerPortal.licenseKeys.deactivate({ key: key.key, organization_id, activation_id: first.id });
      expect((await f.sdk.licenseKeys.get(key.id)).activations.map((a) => a.label)).toEqual(['Desktop']);
      const gone = await rejectionOf(
        f.sdk.customerPortal.licenseKeys.deactivate({ key: key.key, organization_id, activation_id: first.id }),
      );
      expect(gone).toBeInstanceOf(errors.ResourceNotFound);
    });

    it('a key without an activation limit cannot be activated; a revoked or expired key no longer validates', async () => {
      const { key } = await keyProduct({ expires: { ttl: 30, timeframe: 'day' } });
      const organization_id = f.polar.organizationId;
      expect(
        (await failureOf(f.sdk.customerPortal.licenseKeys.activate({ key: key.key, organization_id, label: 'PC' })))
          .body.detail,
      ).toBe(
        'This license key does not support activations. Use the /validate endpoint instead to check license validity.',
      );
      expect(key.expires_at).toBe(new Date(now().getTime() + 30 * DAY).toISOString());
      f.polar.billing.advanceTime(31 * DAY);
      expect(
        (await failureOf(f.sdk.customerPortal.licenseKeys.validate({ key: key.key, organization_id }))).body.detail,
      ).toBe('License key has expired.');

      const second = await keyProduct({});
      await f.sdk.refunds.create({ order_id: second.order.id, reason: 'other', amount: 4900, revoke_benefits: true });
      expect((await f.sdk.licenseKeys.get(second.key.id)).status).toBe('revoked');
      expect((await failureOf(f.sdk.licenseKeys.validate({ key: second.key.key, organization_id }))).body.detail).toBe(
        'License key is no longer active.',
      );
    });
  });

  describe('plan changes', () => {
    async function subscribed() {
      const basic = await f.sdk.benefits.create({ type: 'custom', description: 'Basic features', properties: {} });
      const pro = await f.sdk.benefits.create({ type: 'custom', description: 'Pro features', properties: {} });
      const basicPlan = await monthly('Basic', 2000, [basic.id]);
      const proPlan = await monthly('Pro', 5000, [pro.id]);
      const buyer = await customer();
      const subscription = f.polar.billing.seedSubscription({ customer: buyer, product: basicPlan });
      return { basic, pro, basicPlan, proPlan, buyer, subscriptionId: subscription.id };
    }

    it(
      'prorate (the default): the plan changes now, the prorations wait for the next cycle order',
      async () => {
        const { basic, pro, proPlan, buyer, subscriptionId } = await subscribed();
        f.polar.billing.advanceTime(10 * DAY);
        const before = await f.sdk.subscriptions.get(subscriptionId);
        const share = remainingShare(before, now());
        const from = (await delivered()).length;
        const changed = await f.sdk.subscriptions.update(subscriptionId, { product_id: proPlan.id });
        expect(changed).toMatchObject({ product_id: proPlan.id, amount: 5000, pending_update: null });
        expect(await delivered(from)).toEqual([
          'subscription.updated',
          'benefit_grant.revoked',
          'benefit_grant.created',
          'customer.state_changed',
        ]);
        expect((await f.sdk.orders.list({ customer_id: buyer.id })).items).toHaveLength(1);
        const state = await f.sdk.customers.getState(buyer.id);
        expect(state.granted_benefits.map((grant) => grant.benefit_id)).toEqual([pro.id]);
        expect(state.granted_benefits.map((grant) => grant.benefit_id)).not.toContain(basic.id);

        f.polar.billing.advanceTime(25 * DAY); // renewal
        const [renewal] = (await f.sdk.orders.list({ customer_id: buyer.id })).items;
        const credit = -Math.round(2000 * share);
        const debit = Math.round(5000 * share);
        expect(renewal.billing_reason).toBe('subscription_cycle');
        expect(renewal.items.map((item) => [item.amount, item.proration])).toEqual([
          [5000, false],
          [credit, true],
          [debit, true],
        ]);
        expect(renewal.total_amount).toBe(5000 + credit + debit);
        expect(renewal.items[1].label).toMatch(/^Remaining time on Basic — From \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it(
      'invoice: a subscription_update order for the prorations is paid now; a declined card is 402 and nothing changes',
      async () => {
        const { basicPlan, proPlan, buyer, subscriptionId } = await subscribed();
        f.polar.billing.advanceTime(15 * DAY);
        const share = remainingShare(await f.sdk.subscriptions.get(subscriptionId), now());
        f.polar.billing.failNextPayments(1);
        const declined = await failureOf(
          f.sdk.subscriptions.update(subscriptionId, { product_id: proPlan.id, proration_behavior: 'invoice' }),
        );
        expect(declined.status).toBe(402);
        expect(declined.body.error).toBe('PaymentFailed');
        expect((await f.sdk.subscriptions.get(subscriptionId)).product_id).toBe(basicPlan.id);

        const from = (await delivered()).length;
        await f.sdk.subscriptions.update(subscriptionId, { product_id: proPlan.id, proration_behavior: 'invoice' });
        expect(await delivered(from)).toEqual([
          'order.created',
          'order.updated',
          'order.paid',
          'subscription.updated',
          'benefit_grant.revoked',
          'benefit_grant.created',
          'customer.state_changed',
        ]);
        const [invoice] = (await f.sdk.orders.list({ customer_id: buyer.id })).items;
        expect(invoice).toMatchObject({ billing_reason: 'subscription_update', status: 'paid' });
        expect(invoice.total_amount).toBe(Math.round(5000 * share) - Math.round(2000 * share));
        expect(invoice.items.every((item) => item.proration)).toBe(true);
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it('next_period: the change waits in pending_update and applies at the renewal', async () => {
      const { basicPlan, proPlan, buyer, subscriptionId } = await subscribed();
      const scheduled = await f.sdk.subscriptions.update(subscriptionId, {
        product_id: proPlan.id,
        proration_behavior: 'next_period',
      });
      expect(scheduled.product_id).toBe(basicPlan.id);
      expect(scheduled.pending_update).toMatchObject({ product_id: proPlan.id, seats: null });
      expect(scheduled.pending_update?.applies_at).toBe(scheduled.current_period_end);
      f.polar.billing.advanceTime(32 * DAY);
      const renewed = await f.sdk.subscriptions.get(subscriptionId);
      expect(renewed).toMatchObject({ product_id: proPlan.id, amount: 5000, pending_update: null });
      const [renewal] = (await f.sdk.orders.list({ customer_id: buyer.id })).items;
      expect(renewal).toMatchObject({ total_amount: 5000, product_id: proPlan.id });
    });

    it('refuses what Polar refuses: reset, an unknown or one-time product, a canceled subscription', async () => {
      const { subscriptionId, proPlan } = await subscribed();
      const reset = await detailOf(
        f.sdk.subscriptions.update(subscriptionId, { product_id: proPlan.id, proration_behavior: 'reset' }),
      );
      expect(reset.detail[0]).toMatchObject({
        loc: ['body', 'proration_behavior'],
        msg: "The 'reset' proration behavior is not enabled for this organization.",
      });
      const unknown = await detailOf(f.sdk.subscriptions.update(subscriptionId, { product_id: randomUUID() }));
      expect(unknown.detail[0]).toMatchObject({ loc: ['body', 'product_id'], msg: 'Product does not exist.' });
      const oneTime = await f.sdk.products.create({
        name: 'Add-on',
        prices: [{ amount_type: 'fixed', price_amount: 500 }],
      });
      const notRecurring = await detailOf(f.sdk.subscriptions.update(subscriptionId, { product_id: oneTime.id }));
      expect(notRecurring.detail[0].msg).toBe('Product is not recurring.');
      await f.sdk.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
      const canceled = await failureOf(f.sdk.subscriptions.update(subscriptionId, { product_id: proPlan.id }));
      expect(canceled.status).toBe(403);
      expect(canceled.body.error).toBe('AlreadyCanceledSubscription');
    });
  });

  describe('seats', () => {
    async function team() {
      const product = await f.sdk.products.create({
        name: 'Team',
        recurring_interval: 'month',
        prices: [
          {
            amount_type: 'seat_based',
            seat_tiers: { tiers: [{ min_seats: 2, max_seats: 10, price_per_seat: 1000 }] },
          },
        ],
      });
      const checkout = await f.sdk.checkouts.create({
        products: [product.id],
        customer_email: 'lead@mailinator.com',
        seats: 3,
        embed_origin: 'https://app.example.com',
      });
      expect(checkout).toMatchObject({ seats: 3, total_amount: 3000, embed_origin: 'https://app.example.com' });
      f.polar.billing.pay(checkout.id);
      const subscriptionId = (await f.sdk.checkouts.get(checkout.id)).subscription_id!;
      return { product, subscriptionId };
    }

    it(
      'a seat-based purchase subscribes its seats; more seats with invoice bill the prorated difference now',
      async () => {
        const { subscriptionId } = await team();
        const subscription = await f.sdk.subscriptions.get(subscriptionId);
        expect(subscription).toMatchObject({ seats: 3, amount: 3000 });
        f.polar.billing.advanceTime(10 * DAY);
        const share = remainingShare(subscription, now());
        const updated = await f.sdk.subscriptions.update(subscriptionId, { seats: 5, proration_behavior: 'invoice' });
        expect(updated).toMatchObject({ seats: 5, amount: 5000 });
        const [invoice] = (await f.sdk.orders.list({ customer_id: subscription.customer_id })).items;
        expect(invoice.billing_reason).toBe('subscription_update');
        expect(invoice.items).toEqual([
          expect.objectContaining({
            amount: Math.trunc(2000 * share),
            proration: true,
            label: expect.stringMatching(/^Team \(3 → 5 seats\)/),
          }),
        ]);
        f.polar.billing.advanceTime(25 * DAY);
        const [renewal] = (await f.sdk.orders.list({ customer_id: subscription.customer_id })).items;
        expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', total_amount: 5000, seats: 5 });
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it('fewer seats with prorate credit the next order; limits and non-seat subscriptions are refused', async () => {
      const { subscriptionId } = await team();
      f.polar.billing.advanceTime(15 * DAY);
      const subscription = await f.sdk.subscriptions.get(subscriptionId);
      const share = remainingShare(subscription, now());
      await f.sdk.subscriptions.update(subscriptionId, { seats: 2 });
      f.polar.billing.advanceTime(20 * DAY);
      const [renewal] = (await f.sdk.orders.list({ customer_id: subscription.customer_id })).items;
      expect(renewal.items.map((item) => item.amount)).toEqual([2000, Math.trunc(-1000 * share)]);
      expect(await failureOf(f.sdk.subscriptions.update(subscriptionId, { seats: 1 }))).toEqual({
        status: 400,
        body: { error: 'BelowMinimumSeats', detail: 'Minimum 2 seats required.' },
      });
      expect((await failureOf(f.sdk.subscriptions.update(subscriptionId, { seats: 11 }))).body.error).toBe(
        'AboveMaximumSeats',
      );
      const plain = await monthly('Solo', 900);
      const solo = f.polar.billing.seedSubscription({
        customer: await customer(),
        product: plain,
      });
      expect(await failureOf(f.sdk.subscriptions.update(solo.id, { seats: 4 }))).toEqual({
        status: 400,
        body: { error: 'NotASeatBasedSubscription', detail: 'This subscription does not support seat-based pricing.' },
      });
    });
  });

  describe('meter credits and customer meters', () => {
    async function creditedPlan(rollover: boolean) {
      const meter = await f.sdk.meters.create({
        name: 'API calls',
        filter: { conjunction: 'and', clauses: [{ property: 'name', operator: 'eq', value: 'api_call' }] },
        aggregation: { func: 'count' },
      });
      const credits = await f.sdk.benefits.create({
        type: 'meter_credit',
        description: '100 API calls a month',
        properties: { meter_id: meter.id, units: 100, rollover },
      });
      const plan = await monthly('Usage', 1000, [credits.id]);
      const buyer = await customer();
      f.polar.billing.seedSubscription({ customer: buyer, product: plan });
      const events = Array.from({ length: 30 }, () => ({ name: 'api_call', customer_id: buyer.id }));
      await f.sdk.events.ingest({ events });
      return { meter, buyer };
    }

    it('a meter_credit grant credits the meter; customer meters list and get consumed, credited and balance', async () => {
      const { meter, buyer } = await creditedPlan(false);
      const list = await f.sdk.customerMeters.list({ customer_id: buyer.id });
      expect(list.items).toHaveLength(1);
      const [entry] = list.items;
      expect(entry).toMatchObject({
        customer_id: buyer.id,
        meter_id: meter.id,
        consumed_units: 30,
        credited_units: 100,
        balance: 70,
      });
      expect(specErrors('CustomerMeter', JSON.parse(JSON.stringify(entry)))).toEqual([]);
      expect((await f.sdk.customerMeters.get(entry.id)).balance).toBe(70);
      expect((await f.sdk.customerMeters.list({ meter_id: randomUUID() })).items).toEqual([]);
      expect(await rejectionOf(f.sdk.customerMeters.get(randomUUID()))).toBeInstanceOf(errors.ResourceNotFound);
      const state = await f.sdk.customers.getState(buyer.id);
      expect(state.active_meters).toEqual([
        expect.objectContaining({ meter_id: meter.id, consumed_units: 30, credited_units: 100, balance: 70 }),
      ]);
    });

    it(
      'each renewal resets the meter and credits again (benefit_grant.cycled); rollover carries the balance',
      async () => {
        const plain = await creditedPlan(false);
        const from = (await delivered()).length;
        f.polar.billing.advanceTime(32 * DAY);
        expect(await delivered(from)).toContain('benefit_grant.cycled');
        const [reset] = (await f.sdk.customerMeters.list({ customer_id: plain.buyer.id })).items;
        expect(reset).toMatchObject({ consumed_units: 0, credited_units: 100, balance: 100 });
        await expectSpecPayloads();

        f.polar.reset();
        const carried = await creditedPlan(true);
        f.polar.billing.advanceTime(32 * DAY);
        const [rolled] = (await f.sdk.customerMeters.list({ customer_id: carried.buyer.id })).items;
        expect(rolled).toMatchObject({ consumed_units: 0, credited_units: 170, balance: 170 });
      },
      SCHEMA_CHECK_MS,
    );

    it('a revoked meter_credit grant takes its credit back', async () => {
      const { buyer } = await creditedPlan(false);
      const [subscription] = (await f.sdk.subscriptions.list({ customer_id: buyer.id })).items;
      await f.sdk.subscriptions.revoke(subscription.id);
      const [entry] = (await f.sdk.customerMeters.list({ customer_id: buyer.id })).items;
      expect(entry).toMatchObject({ consumed_units: 30, credited_units: 0, balance: -30 });
    });
  });
});
