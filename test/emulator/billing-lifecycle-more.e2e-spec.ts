import { randomUUID } from 'node:crypto';
import { createPolar } from '@polar-sh/sdk/2026-10';
import { detailOf, failureOf, manualClock, type EmulatorFixture } from './helpers.js';
import { specErrors } from './spec-schema.js';
import { billingSuite } from './billing-suite.js';

/*
 * The rest of the lifecycle, as Polar's server runs it: the SubscriptionUpdate forms for metadata, trials,
 * billing periods, pauses and scheduled changes; disputes; refunds that fail; meters of metered prices reset at
 * each cycle. Every call goes over HTTP through the official SDK; every webhook is checked against the spec.
 */

const DAY = 24 * 60 * 60 * 1000;
const SCHEMA_CHECK_MS = 30_000;

describe('emulator: subscription updates, disputes, refund failures, metered resets', () => {
  const time = manualClock('2026-10-01T12:00:00.000Z');
  const suite = billingSuite({ clock: time.clock }, 'subscription.paused');
  const { delivered, expectSpecPayloads, customer } = suite;
  let f: EmulatorFixture;
  beforeEach(() => ({ f } = suite));

  const now = () => f.polar.billing.now();

  async function subscribed(amount = 2000, trial = false) {
    const benefit = await f.sdk.benefits.create({ type: 'custom', description: 'Pro features', properties: {} });
    const product = f.polar.billing.seedProduct({
      name: 'Pro',
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: amount }],
      ...(trial ? { trial_interval: 'day' as const, trial_interval_count: 14 } : {}),
      benefits: [benefit.id],
    });
    const buyer = await customer();
    const subscription = f.polar.billing.seedSubscription({ customer: buyer, product });
    return { benefit, product, buyer, subscription };
  }

  describe('subscriptions.update: metadata, trial_end, billing period, pause, resume, clear', () => {
    it('metadata replaces the subscription metadata (subscription.updated), status unchanged', async () => {
      const { subscription } = await subscribed();
      const from = (await delivered()).length;
      const updated = await f.sdk.subscriptions.update(subscription.id, { metadata: { seats_plan: 'team', n: 3 } });
      expect(updated).toMatchObject({ status: 'active', metadata: { seats_plan: 'team', n: 3 } });
      expect((await f.sdk.subscriptions.get(subscription.id)).metadata).toEqual({ seats_plan: 'team', n: 3 });
      expect(await delivered(from)).toEqual(['subscription.updated', 'customer.state_changed']);
      await expectSpecPayloads();
    });

    it('an empty body is SubscriptionUpdateBase with nothing set: 200 and nothing changes', async () => {
      const { subscription } = await subscribed();
      const from = (await delivered()).length;
      const same = await f.sdk.subscriptions.update(subscription.id, {});
      expect(same.modified_at).toEqual(subscription.modified_at);
      expect(await delivered(from)).toEqual([]);
    });

    it('trial_end on an active subscription starts a trial that ends the period; the trial end converts it', async () => {
      const { subscription } = await subscribed(2000);
      const periodEnd = new Date(String(subscription.current_period_end));
      const trialEnd = new Date(periodEnd.getTime() + 10 * DAY);
      const updated = await f.sdk.subscriptions.update(subscription.id, { trial_end: trialEnd.toISOString() });
      expect(updated).toMatchObject({
        status: 'trialing',
        trial_end: trialEnd.toISOString(),
        current_period_end: trialEnd.toISOString(),
      });
      // Nothing renews at the old period end: the trial runs to its new end.
      f.polar.billing.advanceTime(periodEnd.getTime() - now().getTime() + DAY);
      expect(f.polar.billing.orders.filter((o) => o.subscription_id === subscription.id)).toHaveLength(1);
      f.polar.billing.advanceTime(trialEnd.getTime() - now().getTime());
      const after = await f.sdk.subscriptions.get(subscription.id);
      expect(after.status).toBe('active');
      const orders = f.polar.billing.orders.filter((o) => o.subscription_id === subscription.id);
      expect(orders.map((o) => [o.billing_reason, o.total_amount, o.status])).toEqual([
        ['subscription_create', 2000, 'paid'],
        ['subscription_cycle', 2000, 'paid'],
      ]);
      await expectSpecPayloads();
    });

    it('trial_end "now" ends a trial at once: active, the cycle order charged', async () => {
      const { subscription } = await subscribed(2000, true);
      expect(subscription.status).toBe('trialing');
      const from = (await delivered()).length;
      const updated = await f.sdk.subscriptions.update(subscription.id, { trial_end: 'now' });
      expect(updated).toMatchObject({ status: 'active', trial_end: now().toISOString() });
      expect(updated.current_period_start).toEqual(now().toISOString());
      const orders = f.polar.billing.orders.filter((o) => o.subscription_id === subscription.id);
      expect(orders.map((o) => [o.billing_reason, o.total_amount, o.status])).toEqual([
        ['subscription_create', 0, 'paid'],
        ['subscription_cycle', 2000, 'paid'],
      ]);
      expect(await delivered(from)).toEqual([
        'subscription.updated',
        'subscription.cycled',
        'order.created',
        'order.updated',
        'order.paid',
        'customer.state_changed',
      ]);
      await expectSpecPayloads();
    });

    it('trial_end refusals: "now" when not trialing, before the period end, in the past (422), past_due (403)', async () => {
      const { subscription } = await subscribed();
      const notTrialing = await detailOf(f.sdk.subscriptions.update(subscription.id, { trial_end: 'now' }));
      expect(notTrialing.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'trial_end'],
          msg: 'The subscription is not currently trialing.',
          input: 'now',
        },
      ]);
      const early = new Date(now().getTime() + DAY);
      const tooEarly = await detailOf(f.sdk.subscriptions.update(subscription.id, { trial_end: early.toISOString() }));
      expect(tooEarly.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'trial_end'],
          msg: 'Trial end must be after the current period end.',
          input: early.toISOString(),
        },
      ]);
      const past = await detailOf(
        f.sdk.subscriptions.update(subscription.id, { trial_end: new Date(now().getTime() - DAY).toISOString() }),
      );
      expect(past.detail[0]).toMatchObject({
        type: 'datetime_future',
        loc: ['body', 'SubscriptionUpdateBase', 'trial_end'],
        msg: 'Input should be in the future',
      });
      f.polar.billing.failNextPayments(1);
      f.polar.billing.advanceTime(new Date(String(subscription.current_period_end)).getTime() - now().getTime());
      expect((await f.sdk.subscriptions.get(subscription.id)).status).toBe('past_due');
      const inactive = await failureOf(
        f.sdk.subscriptions.update(subscription.id, { trial_end: new Date(now().getTime() + 60 * DAY).toISOString() }),
      );
      expect(inactive).toEqual({
        status: 403,
        body: { error: 'InactiveSubscription', detail: `Subscription ${subscription.id} is not active.` },
      });
    });

    it('current_billing_period_end moves the renewal: the cycle runs at the new end, not the old one', async () => {
      const { subscription } = await subscribed(2000);
      const oldEnd = new Date(String(subscription.current_period_end));
      const newEnd = new Date(oldEnd.getTime() + 5 * DAY);
      const from = (await delivered()).length;
      const updated = await f.sdk.subscriptions.update(subscription.id, {
        current_billing_period_end: newEnd.toISOString(),
      });
      expect(updated).toMatchObject({ status: 'active', current_period_end: newEnd.toISOString() });
      expect(await delivered(from)).toEqual(['subscription.updated', 'customer.state_changed']);
      f.polar.billing.advanceTime(oldEnd.getTime() - now().getTime());
      expect(f.polar.billing.orders.filter((o) => o.subscription_id === subscription.id)).toHaveLength(1);
      f.polar.billing.advanceTime(5 * DAY);
      const renewed = await f.sdk.subscriptions.get(subscription.id);
      expect(renewed.current_period_start).toEqual(newEnd.toISOString());
      expect(f.polar.billing.orders.filter((o) => o.subscription_id === subscription.id)).toHaveLength(2);
      await expectSpecPayloads();
    });

    it('current_billing_period_end refusals: in the past (422), canceled at period end (403)', async () => {
      const { subscription } = await subscribed();
      const past = await detailOf(
        f.sdk.subscriptions.update(subscription.id, {
          current_billing_period_end: new Date(now().getTime() - 1000).toISOString(),
        }),
      );
      expect(past.detail[0]).toMatchObject({
        type: 'datetime_future',
        loc: ['body', 'SubscriptionUpdateBillingPeriod', 'current_billing_period_end'],
      });
      await f.sdk.subscriptions.update(subscription.id, { cancel_at_period_end: true });
      const canceled = await failureOf(
        f.sdk.subscriptions.update(subscription.id, {
          current_billing_period_end: new Date(now().getTime() + DAY).toISOString(),
        }),
      );
      expect(canceled.status).toBe(403);
      expect(canceled.body.error).toBe('AlreadyCanceledSubscription');
    });

    it(
      'pause at period end: active until the period ends, then paused (no order, benefits revoked); resumes_at resumes it',
      async () => {
        const { subscription, buyer } = await subscribed(2000);
        const periodEnd = new Date(String(subscription.current_period_end));
        const resumesAt = new Date(periodEnd.getTime() + 10 * DAY);
        const scheduled = await f.sdk.subscriptions.update(subscription.id, {
          pause_at_period_end: true,
          resumes_at: resumesAt.toISOString(),
        });
        expect(scheduled).toMatchObject({
          status: 'active',
          pause_at_period_end: true,
          resumes_at: resumesAt.toISOString(),
        });
        const from = (await delivered()).length;
        f.polar.billing.advanceTime(periodEnd.getTime() - now().getTime());
        const paused = await f.sdk.subscriptions.get(subscription.id);
        expect(paused).toMatchObject({
          status: 'paused',
          pause_at_period_end: false,
          paused_at: periodEnd.toISOString(),
        });
        expect(f.polar.billing.orders.filter((o) => o.subscription_id === subscription.id)).toHaveLength(1);
        expect(await delivered(from)).toEqual([
          'subscription.updated',
          'subscription.paused',
          'benefit_grant.revoked',
          'customer.state_changed',
        ]);
        const state = await f.sdk.customers.getState(buyer.id);
        expect(state.active_subscriptions).toEqual([]);
        expect(state.granted_benefits).toEqual([]);
        // Paused: time passes with no renewal until resumes_at.
        f.polar.billing.advanceTime(9 * DAY);
        expect((await f.sdk.subscriptions.get(subscription.id)).status).toBe('paused');
        const beforeResume = (await delivered()).length;
        f.polar.billing.advanceTime(DAY);
        const resumed = await f.sdk.subscriptions.get(subscription.id);
        expect(resumed).toMatchObject({
          status: 'active',
          paused_at: null,
          resumes_at: null,
          current_period_start: resumesAt.toISOString(),
        });
        const orders = f.polar.billing.orders.filter((o) => o.subscription_id === subscription.id);
        expect(orders.map((o) => [o.billing_reason, o.total_amount, o.status])).toEqual([
          ['subscription_create', 2000, 'paid'],
          ['subscription_cycle', 2000, 'paid'],
        ]);
        expect(await delivered(beforeResume)).toEqual([
          'subscription.updated',
          'subscription.resumed',
          'benefit_grant.created',
          'order.created',
          'order.updated',
          'order.paid',
          'customer.state_changed',
        ]);
        // Polar grants the same grant again (one per benefit and subscription), it does not add another.
        const grants = f.polar.billing.benefitGrants.filter((g) => g.subscription_id === subscription.id);
        expect(grants.map((g) => g.is_granted)).toEqual([true]);
        expect((await f.sdk.customers.getState(buyer.id)).granted_benefits).toHaveLength(1);
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it('resume: a paused subscription starts a fresh period now; a declined renewal leaves it past_due', async () => {
      const { subscription } = await subscribed(2000);
      await f.sdk.subscriptions.update(subscription.id, { pause_at_period_end: true });
      f.polar.billing.advanceTime(new Date(String(subscription.current_period_end)).getTime() - now().getTime());
      f.polar.billing.advanceTime(40 * DAY);
      expect((await f.sdk.subscriptions.get(subscription.id)).status).toBe('paused');
      f.polar.billing.failNextPayments(1);
      const resumed = await f.sdk.subscriptions.update(subscription.id, { resume: true });
      expect(resumed).toMatchObject({ status: 'past_due', current_period_start: now().toISOString() });
      await expectSpecPayloads();
    });

    it('pause refusals: 409 CannotPauseSubscription twice, NoScheduledPause, NotPausedSubscription; resumes_at before the period end 422', async () => {
      const { subscription } = await subscribed();
      expect(await failureOf(f.sdk.subscriptions.update(subscription.id, { pause_at_period_end: false }))).toEqual({
        status: 409,
        body: { error: 'NoScheduledPause', detail: 'This subscription is not scheduled to be paused.' },
      });
      expect(await failureOf(f.sdk.subscriptions.update(subscription.id, { resume: true }))).toEqual({
        status: 409,
        body: { error: 'NotPausedSubscription', detail: 'This subscription is not paused.' },
      });
      const early = new Date(now().getTime() + DAY);
      const tooEarly = await detailOf(
        f.sdk.subscriptions.update(subscription.id, { pause_at_period_end: true, resumes_at: early.toISOString() }),
      );
      expect(tooEarly.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'resumes_at'],
          msg: 'resumes_at must be after the current period end.',
          input: early.toISOString(),
        },
      ]);
      await f.sdk.subscriptions.update(subscription.id, { pause_at_period_end: true });
      expect(await failureOf(f.sdk.subscriptions.update(subscription.id, { pause_at_period_end: true }))).toEqual({
        status: 409,
        body: { error: 'CannotPauseSubscription', detail: 'This subscription cannot be paused.' },
      });
      // Calling the pause off: the period renews as usual.
      const off = await f.sdk.subscriptions.update(subscription.id, { pause_at_period_end: false });
      expect(off).toMatchObject({ pause_at_period_end: false, resumes_at: null });
      f.polar.billing.advanceTime(new Date(String(subscription.current_period_end)).getTime() - now().getTime());
      expect((await f.sdk.subscriptions.get(subscription.id)).status).toBe('active');
    });

    it('pending_update: null clears a next_period change, which then never applies; with none it is 422', async () => {
      const { subscription } = await subscribed(2000);
      const none = await detailOf(f.sdk.subscriptions.update(subscription.id, { pending_update: null }));
      expect(none.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'pending_update'],
          msg: 'This subscription has no pending update to clear.',
          input: null,
        },
      ]);
      const max = f.polar.billing.seedProduct({
        name: 'Max',
        recurring_interval: 'month',
        prices: [{ amount_type: 'fixed', price_amount: 9000 }],
      });
      const scheduled = await f.sdk.subscriptions.update(subscription.id, {
        product_id: max.id,
        proration_behavior: 'next_period',
      });
      expect(scheduled.pending_update).toMatchObject({ product_id: max.id });
      const cleared = await f.sdk.subscriptions.update(subscription.id, { pending_update: null });
      expect(cleared.pending_update).toBeNull();
      f.polar.billing.advanceTime(new Date(String(subscription.current_period_end)).getTime() - now().getTime());
      const renewed = await f.sdk.subscriptions.get(subscription.id);
      expect(renewed).toMatchObject({ product_id: subscription.product_id, amount: 2000 });
      await expectSpecPayloads();
    });

    it('a body mixing forms is refused naming the extra field (422 extra_forbidden)', async () => {
      const { subscription } = await subscribed();
      const mixed = await detailOf(
        f.sdk.subscriptions.update(subscription.id, { resume: true, metadata: {} } as never),
      );
      expect(mixed.detail).toEqual([
        {
          type: 'extra_forbidden',
          loc: ['body', 'SubscriptionResume', 'metadata'],
          msg: 'Extra inputs are not permitted',
          input: {},
        },
      ]);
    });
  });
  async function oneTimePurchase(amount = 10000) {
    const benefit = await f.sdk.benefits.create({ type: 'custom', description: 'Lifetime access', properties: {} });
    const product = f.polar.billing.seedProduct({
      name: 'Lifetime',
      prices: [{ amount_type: 'fixed', price_amount: amount }],
      benefits: [benefit.id],
    });
    const buyer = await customer();
    const { order } = f.polar.billing.purchase({ customer: buyer, product });
    return { benefit, buyer, order };
  }

  describe('disputes', () => {
    it('openDispute: a needs_response dispute on the order, listed and fetched; no webhook', async () => {
      const { order, buyer } = await oneTimePurchase(10000);
      const from = (await delivered()).length;
      const opened = f.polar.billing.openDispute(order, { reason: 'product_not_received' });
      const evidenceDue = new Date(now().getTime() + 21 * DAY).toISOString();
      const fetched = await f.sdk.disputes.get(opened.id);
      expect(fetched).toMatchObject({
        id: opened.id,
        status: 'needs_response',
        resolved: false,
        closed: false,
        amount: 10000,
        tax_amount: 0,
        currency: 'usd',
        reason: 'product_not_received',
        evidence_due_by: evidenceDue,
        past_due: false,
        order_id: order.id,
        case_id: null,
        customer: { id: buyer.id },
      });
      expect(specErrors('Dispute', JSON.parse(JSON.stringify(f.polar.billing.disputes[0])))).toEqual([]);
      const page = await f.sdk.disputes.list({ order_id: order.id, status: 'needs_response' });
      expect(page.items.map((d) => d.id)).toEqual([opened.id]);
      expect((await f.sdk.disputes.list({ status: ['won', 'lost'] })).items).toEqual([]);
      expect(await delivered(from)).toEqual([]);
      // The evidence deadline passes: past_due.
      f.polar.billing.advanceTime(22 * DAY);
      expect((await f.sdk.disputes.get(opened.id)).past_due).toBe(true);
    });

    it('accept concedes: lost and closed, the one-time order benefits revoked; a second accept is 409', async () => {
      const { order, buyer } = await oneTimePurchase();
      const dispute = f.polar.billing.openDispute(order);
      const from = (await delivered()).length;
      const accepted = await f.sdk.disputes.accept(dispute.id);
      expect(accepted).toMatchObject({ status: 'lost', resolved: true, closed: true, past_due: false });
      expect(await delivered(from)).toEqual(['benefit_grant.revoked', 'customer.state_changed']);
      expect((await f.sdk.customers.getState(buyer.id)).granted_benefits).toEqual([]);
      expect(await failureOf(f.sdk.disputes.accept(dispute.id))).toEqual({
        status: 409,
        body: { error: 'DisputeNotOpenError', detail: `Dispute ${dispute.id} is not awaiting a response.` },
      });
      await expectSpecPayloads();
    });

    it('a dispute won or lost on a subscription order revokes the subscription at once', async () => {
      const { subscription, buyer } = await subscribed(3000);
      const [order] = f.polar.billing.orders.filter((o) => o.subscription_id === subscription.id);
      const dispute = f.polar.billing.openDispute(order, { amount: 1000 });
      expect(f.polar.billing.settleDispute(dispute.id, 'under_review')).toMatchObject({ status: 'under_review' });
      expect((await f.sdk.subscriptions.get(subscription.id)).status).toBe('active');
      // Only a dispute awaiting a response can be accepted.
      expect((await failureOf(f.sdk.disputes.accept(dispute.id))).status).toBe(409);
      const from = (await delivered()).length;
      expect(f.polar.billing.settleDispute(dispute.id, 'won')).toMatchObject({ status: 'won', resolved: true });
      expect(await f.sdk.subscriptions.get(subscription.id)).toMatchObject({
        status: 'canceled',
        ended_at: now().toISOString(),
      });
      expect(await delivered(from)).toEqual([
        'subscription.updated',
        'subscription.canceled',
        'subscription.revoked',
        'benefit_grant.revoked',
        'customer.state_changed',
      ]);
      expect((await f.sdk.customers.getState(buyer.id)).active_subscriptions).toEqual([]);
      await expectSpecPayloads();
    });

    it('a disputed order cannot be refunded (403 RefundDisputedPayment); an unknown dispute is 404', async () => {
      const { order } = await oneTimePurchase();
      f.polar.billing.openDispute(order);
      const refused = await failureOf(
        f.sdk.refunds.create({ order_id: order.id, reason: 'customer_request', amount: 100 }),
      );
      expect(refused).toEqual({
        status: 403,
        body: {
          error: 'RefundDisputedPayment',
          detail: `Refund cannot be issued for order with disputed payment: ${order.id}`,
        },
      });
      expect((await failureOf(f.sdk.disputes.get(randomUUID()))).status).toBe(404);
      expect(() => f.polar.billing.openDispute(order)).toThrow(/already disputed/);
    });

    it('list sorts by amount and refuses an unknown status (422)', async () => {
      const first = await oneTimePurchase(5000);
      const second = await oneTimePurchase(8000);
      const small = f.polar.billing.openDispute(first.order);
      const large = f.polar.billing.openDispute(second.order);
      expect((await f.sdk.disputes.list({ sorting: ['-amount'] })).items.map((d) => d.id)).toEqual([
        large.id,
        small.id,
      ]);
      expect((await f.sdk.disputes.list({ sorting: ['amount'] })).items.map((d) => d.id)).toEqual([small.id, large.id]);
      const bad = await detailOf(f.sdk.disputes.list({ status: 'open' as never }));
      expect(bad.detail[0]).toMatchObject({ type: 'enum', loc: ['query', 'status', 0] });
    });
  });

  describe('refund failures', () => {
    it('failRefund: refund.updated (failed), and the order gets the amount back (order.updated)', async () => {
      const { order } = await oneTimePurchase(10000);
      const refund = await f.sdk.refunds.create({ order_id: order.id, reason: 'customer_request', amount: 4000 });
      expect((await f.sdk.orders.get(order.id)).status).toBe('partially_refunded');
      const from = (await delivered()).length;
      expect(f.polar.billing.failRefund(refund.id)).toMatchObject({ id: refund.id, status: 'failed' });
      expect(await delivered(from)).toEqual(['refund.updated', 'order.updated']);
      expect(await f.sdk.orders.get(order.id)).toMatchObject({
        status: 'paid',
        refunded_amount: 0,
        refundable_amount: 10000,
      });
      const listed = await f.sdk.refunds.list({ order_id: order.id, succeeded: false });
      expect(listed.items.map((r) => [r.id, r.status])).toEqual([[refund.id, 'failed']]);
      expect(() => f.polar.billing.failRefund(refund.id)).toThrow(/already failed/);
      // The order can be refunded again, in full.
      await f.sdk.refunds.create({ order_id: order.id, reason: 'customer_request', amount: 10000 });
      expect((await f.sdk.orders.get(order.id)).status).toBe('refunded');
      await expectSpecPayloads();
    });
  });
  describe('meters of metered prices reset at each cycle', () => {
    async function meteredPlan() {
      const meter = await f.sdk.meters.create({
        name: 'API calls',
        filter: { conjunction: 'and', clauses: [{ property: 'name', operator: 'eq', value: 'api_call' }] },
        aggregation: { func: 'count' },
      });
      const product = f.polar.billing.seedProduct({
        name: 'Pay as you go',
        recurring_interval: 'month',
        prices: [
          { amount_type: 'fixed', price_amount: 1000 },
          { amount_type: 'metered_unit', meter_id: meter.id, unit_amount: 5 },
        ],
      });
      const buyer = await customer();
      const calls = (n: number) =>
        f.sdk.events.ingest({
          events: Array.from({ length: n }, () => ({ name: 'api_call', customer_id: buyer.id })),
        });
      return { meter, product, buyer, calls };
    }

    it('usage before the subscription and before each cycle stops counting; customer meters and active_meters show it', async () => {
      const { meter, product, buyer, calls } = await meteredPlan();
      await calls(4);
      time.advance(1000);
      const subscription = f.polar.billing.seedSubscription({ customer: buyer, product });
      time.advance(1000);
      expect((await f.sdk.customerMeters.list({ customer_id: buyer.id })).items).toEqual([
        expect.objectContaining({ meter_id: meter.id, consumed_units: 0, credited_units: 0, balance: 0 }),
      ]);
      await calls(7);
      expect((await f.sdk.customers.getState(buyer.id)).active_meters).toEqual([
        expect.objectContaining({ meter_id: meter.id, consumed_units: 7, balance: -7 }),
      ]);
      f.polar.billing.advanceTime(new Date(String(subscription.current_period_end)).getTime() - now().getTime());
      expect((await f.sdk.subscriptions.get(subscription.id)).current_period_start).toBe(
        subscription.current_period_end,
      );
      const [afterCycle] = (await f.sdk.customerMeters.list({ customer_id: buyer.id })).items;
      expect(afterCycle).toMatchObject({ meter_id: meter.id, consumed_units: 0, balance: 0 });
      f.polar.billing.advanceTime(1000);
      await calls(2);
      expect((await f.sdk.customers.getState(buyer.id)).active_meters).toEqual([
        expect.objectContaining({ meter_id: meter.id, consumed_units: 2, balance: -2 }),
      ]);
      await expectSpecPayloads();
    });

    it('a customer without the metered subscription keeps counting all usage', async () => {
      const { meter, calls, buyer } = await meteredPlan();
      await calls(3);
      f.polar.billing.advanceTime(40 * DAY);
      expect((await f.sdk.customerMeters.list({ customer_id: buyer.id })).items).toEqual([
        expect.objectContaining({ meter_id: meter.id, consumed_units: 3 }),
      ]);
    });
  });
  describe("the customer portal's own license keys", () => {
    async function keyHolder() {
      const benefit = await f.sdk.benefits.create({
        type: 'license_keys',
        description: 'App license',
        properties: { prefix: 'app', activations: { limit: 2, enable_customer_admin: true } },
      });
      const product = f.polar.billing.seedProduct({
        name: 'App',
        prices: [{ amount_type: 'fixed', price_amount: 4900 }],
        benefits: [benefit.id],
      });
      const buyer = await customer();
      f.polar.billing.purchase({ customer: buyer, product });
      const key = f.polar.billing.licenseKeys.find((candidate) => candidate.customer_id === buyer.id)!;
      const session = await f.sdk.customerSessions.create({ customer_id: buyer.id });
      const portal = createPolar({ accessToken: session.token, baseUrl: f.polar.url });
      return { benefit, buyer, key, portal };
    }

    it("a customer session lists and gets its own keys (with activations), not another customer's", async () => {
      const mine = await keyHolder();
      const theirs = await keyHolder();
      const activation = await mine.portal.customerPortal.licenseKeys.activate({
        key: mine.key.key,
        organization_id: f.polar.organizationId,
        label: 'MacBook',
      });
      const page = await mine.portal.customerPortal.licenseKeys.list();
      expect(page.items.map((key) => [key.id, key.customer_id, key.key])).toEqual([
        [mine.key.id, mine.buyer.id, mine.key.key],
      ]);
      expect(specErrors('ListResource_LicenseKeyRead_', JSON.parse(JSON.stringify(page)))).toEqual([]);
      expect((await mine.portal.customerPortal.licenseKeys.list({ benefit_id: theirs.benefit.id })).items).toEqual([]);
      const one = await mine.portal.customerPortal.licenseKeys.get(mine.key.id);
      expect(one.activations.map((a) => [a.id, a.label])).toEqual([[activation.id, 'MacBook']]);
      const other = await failureOf(mine.portal.customerPortal.licenseKeys.get(theirs.key.id));
      expect(other).toEqual({ status: 404, body: { error: 'ResourceNotFound', detail: 'Not found' } });
    });

    it('an organization token is not a portal subject (401 Unauthorized); an unknown token is 401 invalid_token', async () => {
      const { key } = await keyHolder();
      const asOrganization = await fetch(`${f.polar.url}/v1/customer-portal/license-keys/${key.id}`, {
        headers: { authorization: `Bearer ${f.polar.accessToken}` },
      });
      expect([asOrganization.status, await asOrganization.json()]).toEqual([
        401,
        { error: 'Unauthorized', detail: 'Unauthorized' },
      ]);
      const unknown = await fetch(`${f.polar.url}/v1/customer-portal/license-keys/`, {
        headers: { authorization: 'Bearer polar_cst_nope' },
      });
      expect(unknown.status).toBe(401);
      expect(((await unknown.json()) as { error: string }).error).toBe('invalid_token');
    });
  });
});
