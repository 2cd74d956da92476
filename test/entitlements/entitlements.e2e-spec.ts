import { createPolar } from '@polar-sh/sdk/2026-10';
import {
  POLAR_CLIENT,
  type PolarClient,
  PolarCustomerStateService,
  type PolarCustomerStateChange,
} from '../../lib/index.js';
import { POLAR_CUSTOMER_STATE_REFRESH, type PolarCustomerStateRefresh } from '../../lib/index.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type PolarTestApp } from '../support/polar-app.js';
import { eventually, startEntitlementsApp, visit } from './entitlements-app.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(ADAPTERS)('entitlement guards against the emulator over %s', (adapter) => {
  let polar: PolarEmulator;
  let web: PolarTestApp & { stop: () => Promise<void> };
  let product: { id: string };
  let trialProduct: { id: string };
  let benefitId: string;
  let sdk: PolarClient;
  const changes: PolarCustomerStateChange[] = [];

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    const admin = createPolar({ accessToken: polar.accessToken, baseUrl: polar.url });
    const benefit = await admin.benefits.create({ type: 'custom', description: 'Pro features', properties: {} });
    benefitId = benefit.id;
    product = polar.billing.seedProduct({
      name: 'Pro monthly',
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: 2000 }],
      benefits: [benefit.id],
    });
    trialProduct = polar.billing.seedProduct({
      name: 'Pro with trial',
      recurring_interval: 'month',
      trial_interval: 'day',
      trial_interval_count: 14,
      prices: [{ amount_type: 'fixed', price_amount: 2000 }],
      benefits: [benefit.id],
    });
    web = await startEntitlementsApp({ adapter, polar, productIds: [product.id, trialProduct.id], benefitId });
    sdk = web.app.get<PolarClient>(POLAR_CLIENT);
    web.app.get(PolarCustomerStateService).onChanged((change) => {
      changes.push(change);
    });
  });

  afterAll(async () => {
    await web?.stop();
    await polar?.stop();
  });

  const newCustomer = (name: string) => polar.seedCustomer({ email: `${name}-${adapter}@mailinator.com` });

  it('no signed-in user → 401 before any call to Polar; the unguarded route stays open', async () => {
    polar.clearRequests();
    const res = await visit(web, '/app/pro');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('polar_portal_unauthenticated');
    expect(polar.requests).toHaveLength(0);
    expect((await visit(web, '/app/open')).status).toBe(200);
  });

  it('nothing bought → 402 with code, checkout_url for the plan and portal_url; buying → allowed after the webhooks, no Polar call on the hot path', async () => {
    const customer = newCustomer('buyer');
    const refused = await visit(web, '/app/pro', customer.id);
    expect(refused.status).toBe(402);
    expect(refused.headers['cache-control']).toBe('private, no-store');
    expect(refused.body).toEqual({
      statusCode: 402,
      error: 'Payment Required',
      code: 'subscription_required',
      message: expect.any(String),
      plan: 'pro',
      checkout_url: '/billing/checkout/pro',
      portal_url: '/billing/portal',
    });

    changes.length = 0;
    polar.billing.purchase({ customer: customer.id, product: product.id });
    await polar.waitForWebhooks();
    await eventually(async () => expect((await visit(web, '/app/pro', customer.id)).status).toBe(200));
    expect((await visit(web, '/app/feature', customer.id)).status).toBe(200);
    const started = changes.find((c) => c.customer_id === customer.id && c.subscriptions_started.length > 0);
    expect(started?.subscriptions_started[0]?.product_id).toBe(product.id);
    expect(changes.some((c) => c.benefits_granted.some((b) => b.benefit_id === benefitId))).toBe(true);

    polar.clearRequests();
    for (let i = 0; i < 25; i++) expect((await visit(web, '/app/pro', customer.id)).status).toBe(200);
    expect(polar.requests).toHaveLength(0);
  });

  it('single flight: 30 concurrent first requests of one customer cost one state fetch', async () => {
    const deaf = await startEntitlementsApp({ adapter, polar, productIds: [product.id], benefitId, webhooks: false });
    try {
      const crowd = newCustomer('crowd');
      polar.billing.purchase({ customer: crowd.id, product: product.id });
      await polar.waitForWebhooks();
      polar.clearRequests();
      const answers = await Promise.all(Array.from({ length: 30 }, () => visit(deaf, '/app/pro', crowd.id)));
      expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
      expect(polar.requests.filter((r) => r.path === `/v1/customers/${crowd.id}/state`)).toHaveLength(1);
      expect(polar.requests.filter((r) => r.path === '/v1/subscriptions/')).toHaveLength(1);
    } finally {
      await deaf.stop();
    }
  });

  it("a purchase's webhooks about a customer the app never read cost no call to Polar; the first visit then fetches once and is allowed", async () => {
    const stranger = newCustomer('never-read');
    polar.clearRequests();
    const before = polar.webhookDeliveries.length;
    polar.billing.purchase({ customer: stranger.id, product: product.id });
    await polar.waitForWebhooks();
    const delivered = polar.webhookDeliveries.slice(before).filter((d) => d.status >= 200 && d.status < 300);
    expect(delivered.map((d) => d.type)).toEqual(expect.arrayContaining(['order.paid', 'customer.state_changed']));
    await new Promise((resolve) => setTimeout(resolve, 100)); // any refetch the deliveries started
    const stateReads = () => polar.requests.filter((r) => r.path === `/v1/customers/${stranger.id}/state`);
    expect(stateReads()).toHaveLength(0);

    expect((await visit(web, '/app/pro', stranger.id)).status).toBe(200);
    expect(stateReads()).toHaveLength(1);
  });

  it('cancel at period end → still allowed (grace period) until the clock passes the period → 402, benefit revoked', async () => {
    const customer = newCustomer('canceler');
    const { subscription } = polar.billing.purchase({ customer: customer.id, product: product.id });
    await polar.waitForWebhooks();
    await sdk.subscriptions.update(subscription!.id as string, { cancel_at_period_end: true });
    await polar.waitForWebhooks();
    const states = web.app.get(PolarCustomerStateService);
    await eventually(async () =>
      expect((await states.get({ customer_id: customer.id })).onGracePeriod('pro')).toBe(true),
    );
    expect((await visit(web, '/app/pro', customer.id)).status).toBe(200);

    polar.billing.advanceTime(32 * DAY);
    await polar.waitForWebhooks();
    await eventually(async () => {
      const res = await visit(web, '/app/pro', customer.id);
      expect(res.status).toBe(402);
      expect(res.body.code).toBe('subscription_required');
    });
    const feature = await visit(web, '/app/feature', customer.id);
    expect(feature.status).toBe(402);
    expect(feature.body).toMatchObject({ code: 'benefit_required', plan: null, checkout_url: null });
    const state = await states.get({ customer_id: customer.id });
    expect(state.subscribed()).toBe(false);
    expect(state.hasBenefit('pro-features')).toBe(false);
  });

  it('a failed renewal → past due: 402 subscription_past_due, allowed where allowPastDue; paying again restores it', async () => {
    polar.billing.advanceTime(0);
    const customer = newCustomer('late-payer');
    polar.billing.purchase({ customer: customer.id, product: product.id });
    await polar.waitForWebhooks();
    await eventually(async () => expect((await visit(web, '/app/pro', customer.id)).status).toBe(200));

    // Every renewal falling due in this advance fails (earlier tests' subscriptions renew too).
    const renewing = polar.billing.subscriptions.filter((sub) => ['active', 'trialing'].includes(sub.status as string));
    polar.billing.failNextPayments(renewing.length);
    polar.billing.advanceTime(32 * DAY);
    await polar.waitForWebhooks();
    await eventually(async () => {
      const res = await visit(web, '/app/pro', customer.id);
      expect(res.status).toBe(402);
      expect(res.body.code).toBe('subscription_past_due');
    });
    expect((await visit(web, '/app/lenient', customer.id)).status).toBe(200);
    expect((await web.app.get(PolarCustomerStateService).get({ customer_id: customer.id })).pastDue()).toBe(true);

    // Polar's dunning retries two days later; this time the payment goes through.
    polar.billing.advanceTime(2 * DAY + 1000);
    await polar.waitForWebhooks();
    await eventually(async () => expect((await visit(web, '/app/pro', customer.id)).status).toBe(200));
  });

  it('a trial entitles, except where allowTrial is false (402 trial_not_allowed)', async () => {
    const customer = newCustomer('trialer');
    polar.billing.purchase({ customer: customer.id, product: trialProduct.id });
    await polar.waitForWebhooks();
    await eventually(async () => expect((await visit(web, '/app/pro', customer.id)).status).toBe(200));
    const paidOnly = await visit(web, '/app/paid-only', customer.id);
    expect(paidOnly.status).toBe(402);
    expect(paidOnly.body.code).toBe('trial_not_allowed');
    expect((await web.app.get(PolarCustomerStateService).get({ customer_id: customer.id })).onTrial('pro')).toBe(true);
  });

  it('POLAR_CUSTOMER_STATE_REFRESH refetches at once (the checkout success route); without webhooks the fresh copy is kept', async () => {
    const deaf = await startEntitlementsApp({ adapter, polar, productIds: [product.id], benefitId, webhooks: false });
    try {
      const customer = newCustomer('returning');
      expect((await visit(deaf, '/app/pro', customer.id)).status).toBe(402);
      polar.billing.purchase({ customer: customer.id, product: product.id });
      await polar.waitForWebhooks();
      // This instance hears no webhook: its copy is fresh for ttlMs, so it still refuses.
      expect((await visit(deaf, '/app/pro', customer.id)).status).toBe(402);
      await deaf.app.get<PolarCustomerStateRefresh>(POLAR_CUSTOMER_STATE_REFRESH).refresh({ customer_id: customer.id });
      expect((await visit(deaf, '/app/pro', customer.id)).status).toBe(200);
    } finally {
      await deaf.stop();
    }
  });

  it("Polar down: 'serve-stale' serves the last known state, onPolarDown 'deny' answers 503, an unknown customer 503; never allowed by accident", async () => {
    const flaky = await startEntitlementsApp({
      adapter,
      polar,
      productIds: [product.id],
      benefitId,
      webhooks: false,
      entitlements: { ttlMs: 1, staleWhileRevalidateMs: 0, maxStaleMs: 60_000 },
    });
    try {
      const paying = newCustomer('down-paying');
      const stranger = newCustomer('down-stranger');
      polar.billing.purchase({ customer: paying.id, product: product.id });
      await polar.waitForWebhooks();
      expect((await visit(flaky, '/app/pro', paying.id)).status).toBe(200);
      expect((await visit(flaky, '/app/pro', stranger.id)).status).toBe(402);
      await new Promise((resolve) => setTimeout(resolve, 5));

      polar.faults.forceStatus(503, { path: /\/v1\/(customers|subscriptions)\// });
      try {
        expect((await visit(flaky, '/app/pro', paying.id)).status).toBe(200);
        const strict = await visit(flaky, '/app/strict', paying.id);
        expect(strict.status).toBe(503);
        expect(strict.body).toMatchObject({ statusCode: 503, code: 'polar_entitlements_unavailable' });
        // The stale copy says "not subscribed": still refused, never allowed because Polar failed.
        expect((await visit(flaky, '/app/pro', stranger.id)).status).toBe(402);
        const unknown = await visit(flaky, '/app/pro', newCustomer('down-unknown').id);
        expect(unknown.status).toBe(503);
        expect(unknown.body.code).toBe('polar_entitlements_unavailable');
      } finally {
        polar.faults.forceStatus(null);
      }
      expect((await visit(flaky, '/app/strict', paying.id)).status).toBe(200);
      expect(flaky.logger.text()).not.toContain(polar.accessToken);
    } finally {
      await flaky.stop();
    }
  });
});
