import { createPolar } from '@polar-sh/sdk/2026-10';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS } from '../support/polar-app.js';
import { type RunningRedis, startRedisServer, describeWithRedisServer } from '../webhooks/redis-server.js';
import { msUntil, startSharedPair, stateCalls, visit } from './entitlements-app.js';

const describeWithRedis = describeWithRedisServer('the two-instance entitlement test');

describeWithRedis.each(ADAPTERS)('two instances sharing customer states through Redis over %s', (adapter) => {
  let redis: RunningRedis;
  let polar: PolarEmulator;

  beforeAll(async () => {
    redis = await startRedisServer();
    polar = await PolarEmulator.start();
  });

  afterAll(async () => {
    await polar?.stop();
    await redis?.stop();
  });

  it("store 'cache-manager': the instance that got no webhook sees the purchase, and then the revocation, within 1 s", async () => {
    const admin = createPolar({ accessToken: polar.accessToken, baseUrl: polar.url });
    const benefit = await admin.benefits.create({ type: 'custom', description: 'Pro', properties: {} });
    const product = polar.billing.seedProduct({
      name: 'Pro monthly',
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: 2000 }],
      benefits: [benefit.id],
    });
    // Only `a` hears webhooks; `b` learns everything through Redis.
    const { a, b, stop } = await startSharedPair(
      { adapter, polar, productIds: [product.id], benefitId: benefit.id },
      redis.url,
    );
    try {
      const customer = polar.seedCustomer({ email: `shared-${adapter}@mailinator.com` });
      expect((await visit(a, '/app/pro', customer.id)).status).toBe(402);
      const before = stateCalls(polar);
      // `b` takes `a`'s copy from Redis: no call to Polar.
      expect((await visit(b, '/app/pro', customer.id)).status).toBe(402);
      expect(stateCalls(polar)).toBe(before);

      const { subscription } = polar.billing.purchase({ customer: customer.id, product: product.id });
      await polar.waitForWebhooks();
      const bought = Date.now();
      await msUntil(() => visit(b, '/app/pro', customer.id), 200);
      expect(Date.now() - bought).toBeLessThanOrEqual(1000);

      await admin.subscriptions.revoke(subscription!.id as string);
      await polar.waitForWebhooks();
      const revoked = Date.now();
      await msUntil(() => visit(b, '/app/pro', customer.id), 402);
      expect(Date.now() - revoked).toBeLessThanOrEqual(1000);
      expect((await visit(b, '/app/feature', customer.id)).status).toBe(402);
    } finally {
      await stop();
    }
  });
});
