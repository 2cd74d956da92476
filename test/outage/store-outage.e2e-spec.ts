import { jest } from '@jest/globals';
import { PolarEmulator } from '../../lib/testing/index.js';
import type { PolarTestApp } from '../support/polar-app.js';
import { ADAPTERS } from '../support/polar-app.js';
import { redisServerAvailability, type RunningRedis, startRedisServer, unusedPort } from '../webhooks/redis-server.js';
import {
  CountingHandler,
  createOutageApp,
  deliver,
  openPortal,
  SLACK_MS,
  STORE_TIMEOUT_MS,
  STORE_UNAVAILABLE,
} from './outage-app.js';

const availability = redisServerAvailability();
if (!availability.available) {
  if (process.env.CI === 'true') throw new Error(`The Redis outage tests cannot run in CI: ${availability.reason}`);
  console.warn(`Skipping the Redis outage tests: ${availability.reason}`);
}
const describeWithRedis = availability.available ? describe : describe.skip;

/** A webhook answered before the handlers ran: one store deadline (the first store call hangs). */
const WEBHOOK_BOUND_MS = STORE_TIMEOUT_MS + SLACK_MS;
/** The portal: a read, then (after Polar answered) a write, each under the store deadline. */
const PORTAL_BOUND_MS = 2 * STORE_TIMEOUT_MS + SLACK_MS;

jest.setTimeout(120_000);

describeWithRedis.each(ADAPTERS)('a Redis outage over %s answers in time', (adapter) => {
  let polar: PolarEmulator;
  let redis: RunningRedis;
  let app: PolarTestApp;
  let seq = 0;
  const id = (what: string) => `msg_${what}_${adapter}_${++seq}`;
  const handler = () => app.app.get(CountingHandler);
  const sessionCalls = () => polar.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customer-sessions/');

  /** What every outage answers: the portal 200 from Polar, a new delivery 503 without running, each in time. */
  async function expectOutageAnswers(on: PolarTestApp, what: string): Promise<void> {
    const portal = await openPortal(on, 'ann');
    expect(portal.status).toBe(200);
    expect(portal.ms).toBeLessThan(PORTAL_BOUND_MS);
    const delivery = id(what);
    const webhook = await deliver(on, delivery);
    expect(webhook.status).toBe(503);
    expect(webhook.body.message).toBe(STORE_UNAVAILABLE);
    expect(webhook.ms).toBeLessThan(WEBHOOK_BOUND_MS);
    expect(on.app.get(CountingHandler).runs).not.toContain(delivery);
  }

  beforeAll(async () => {
    polar = await PolarEmulator.start({ rateLimit: false });
    polar.seedCustomer({ external_id: 'ann', email: 'ann@example.com' });
    redis = await startRedisServer();
    app = await createOutageApp(adapter, polar, redis.url);
  });
  afterAll(async () => {
    redis?.thaw();
    await app?.app.close();
    await redis?.stop();
    await polar?.stop();
  });

  it('healthy: the portal reuses the stored session and a delivery runs its handler once', async () => {
    const before = sessionCalls().length;
    expect((await openPortal(app, 'ann')).status).toBe(200);
    expect((await openPortal(app, 'ann')).status).toBe(200);
    expect(sessionCalls().length - before).toBe(1);
    const delivery = id('healthy');
    expect((await deliver(app, delivery)).status).toBe(200);
    expect((await deliver(app, delivery)).body).toEqual({ received: true, duplicate: true });
    expect(handler().runs.filter((name) => name === delivery)).toHaveLength(1);
  });

  it('frozen (SIGSTOP): the portal asks Polar and answers 200, a new delivery is answered 503 without running', async () => {
    redis.freeze();
    try {
      const before = sessionCalls().length;
      await expectOutageAnswers(app, 'frozen');
      expect(sessionCalls().length - before).toBe(1);
      expect(app.logger.at('warn').join('\n')).toMatch(/Portal session store read failed \(PolarDeadlineError\)/);
    } finally {
      redis.thaw();
    }
    expect(app.logger.text()).not.toMatch(/customer_session_token|polar_cst_/);
  });

  it('frozen after the handlers ran: answered 200 (logged), and the handler is not run again once Redis is back', async () => {
    const delivery = id('late');
    handler().during = () => redis.freeze();
    try {
      const webhook = await deliver(app, delivery);
      expect(webhook.status).toBe(200);
      expect(webhook.body).toEqual({ received: true });
      expect(webhook.ms).toBeLessThan(WEBHOOK_BOUND_MS);
      expect(app.logger.errors().join('\n')).toContain(delivery);
    } finally {
      handler().during = undefined;
      redis.thaw();
    }
    // Polar retries (it got its 2xx here, but a retry must be harmless): the handler does not run twice.
    const retry = await deliver(app, delivery);
    expect([200, 409]).toContain(retry.status);
    expect(handler().runs.filter((name) => name === delivery)).toHaveLength(1);
  });

  it('thawed: reuse and dedupe resume by themselves', async () => {
    const before = sessionCalls().length;
    const first = await openPortal(app, 'ann');
    const second = await openPortal(app, 'ann');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual(first.body);
    expect(sessionCalls().length - before).toBeLessThanOrEqual(1);
    const delivery = id('thawed');
    expect((await deliver(app, delivery)).status).toBe(200);
    expect((await deliver(app, delivery)).body).toEqual({ received: true, duplicate: true });
  });

  it('killed mid-run: 200 from the portal and 503 for a webhook, in time; restarted: both recover by themselves', async () => {
    await redis.kill();
    await expectOutageAnswers(app, 'killed');

    await redis.restart();
    // The client reconnects with a backoff of at most 2 s; every answer meanwhile is 503 or 200, in time.
    const delivery = id('restarted');
    let answer = await deliver(app, delivery);
    const until = Date.now() + 20_000;
    while (answer.status === 503 && Date.now() < until) {
      expect(answer.ms).toBeLessThan(WEBHOOK_BOUND_MS);
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await deliver(app, delivery);
    }
    expect(answer.status).toBe(200);
    expect((await deliver(app, delivery)).body).toEqual({ received: true, duplicate: true });
    expect(handler().runs.filter((name) => name === delivery)).toHaveLength(1);

    const before = sessionCalls().length;
    await openPortal(app, 'ann');
    await openPortal(app, 'ann');
    expect(sessionCalls().length - before).toBeLessThanOrEqual(1);
  });

  // Last: each app made replaces the static Nest logger the module's services write to.
  it('unreachable from the start: the portal answers 200 from Polar, a webhook 503 with the documented body', async () => {
    const nowhere = await createOutageApp(adapter, polar, `redis://127.0.0.1:${await unusedPort()}`);
    try {
      await expectOutageAnswers(nowhere, 'nowhere');
      expect(nowhere.app.get(CountingHandler).runs).toEqual([]);
      // Logged without the session URL or token.
      expect(nowhere.logger.text()).not.toMatch(/customer_session_token|polar_cst_/);
    } finally {
      // Harness bound: the app's CacheModule may wait on a Redis client that never connected.
      await Promise.race([nowhere.app.close(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    }
  });
});
