import { jest } from '@jest/globals';
import { PolarEmulator } from '../../lib/testing/index.js';
import type { PolarTestApp } from '../support/polar-app.js';
import { ADAPTERS } from '../support/polar-app.js';
import { type RunningRedis, startRedisServer, unusedPort, describeWithRedisServer } from '../webhooks/redis-server.js';
import {
  CountingHandler,
  createOutageApp,
  deliver,
  openPortal,
  SLACK_MS,
  STORE_TIMEOUT_MS,
  STORE_UNAVAILABLE,
} from './outage-app.js';

const describeWithRedis = describeWithRedisServer('the Redis outage tests');

/** A webhook answered before the handlers ran: one store deadline (the first store call hangs). */
const WEBHOOK_BOUND_MS = STORE_TIMEOUT_MS + SLACK_MS;
/** The portal: the read misses its deadline, the write after Polar answered is skipped (the breaker). */
const PORTAL_BOUND_MS = STORE_TIMEOUT_MS + SLACK_MS;
/** The default `storeBackoffMs`: how long a store that failed is skipped before one call probes it. */
const STORE_BACKOFF_MS = 5000;
/** Until a skipped store is used again: the backoff, the client's reconnect (≤ 2 s), one probe, slack. */
const RECOVERY_BOUND_MS = STORE_BACKOFF_MS + 2000 + STORE_TIMEOUT_MS + SLACK_MS;

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

  /**
   * Delivers `delivery` until it is answered other than 503 (the store skipped, or the probe
   * meeting a store still away), each answer in time, for at most RECOVERY_BOUND_MS.
   */
  async function deliverUntilStored(delivery: string) {
    const until = Date.now() + RECOVERY_BOUND_MS;
    let answer = await deliver(app, delivery);
    while (answer.status === 503 && Date.now() < until) {
      expect(answer.body.message).toBe(STORE_UNAVAILABLE);
      expect(answer.ms).toBeLessThan(WEBHOOK_BOUND_MS);
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await deliver(app, delivery);
    }
    return answer;
  }

  beforeAll(async () => {
    polar = await PolarEmulator.start({ rateLimit: false });
    polar.seedCustomer({ external_id: 'ann', email: 'ann@example.com' });
    redis = await startRedisServer();
    app = await createOutageApp(adapter, polar, redis.url);
  });
  // Each test starts with the store in use: after the previous one's outage the breaker may still
  // be skipping it (up to storeBackoffMs), which is what the recovery tests assert, not a given.
  beforeEach(async () => {
    expect((await deliverUntilStored(id('ready'))).status).toBe(200);
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
      expect(app.logger.at('warn').join('\n')).toMatch(/skipped \(answered as unavailable\) for 5000 ms/);
    } finally {
      redis.thaw();
    }
    expect(app.logger.text()).not.toMatch(/customer_session_token|polar_cst_/);
  });

  it('frozen: once a call missed its deadline the store is skipped, so the next requests pay no deadline', async () => {
    redis.freeze();
    try {
      const first = await openPortal(app, 'ann');
      expect(first.status).toBe(200);
      expect(first.ms).toBeGreaterThanOrEqual(STORE_TIMEOUT_MS - 50);
      expect(first.ms).toBeLessThan(PORTAL_BOUND_MS);
      // Well inside storeBackoffMs (each answer below is far shorter than it): none waits for Redis.
      for (let i = 0; i < 3; i++) {
        const portal = await openPortal(app, 'ann');
        expect(portal.status).toBe(200);
        expect(portal.ms).toBeLessThan(STORE_TIMEOUT_MS);
        const delivery = id('skipped');
        const webhook = await deliver(app, delivery);
        expect(webhook.status).toBe(503);
        expect(webhook.body.message).toBe(STORE_UNAVAILABLE);
        expect(webhook.ms).toBeLessThan(STORE_TIMEOUT_MS);
        expect(handler().runs).not.toContain(delivery);
      }
      expect(app.logger.errors().join('\n')).toMatch(/PolarStoreSkippedError/);
    } finally {
      redis.thaw();
    }
    // Back by itself: within the backoff (and one probe), a delivery is stored and runs once.
    const delivery = id('after-skip');
    const answer = await deliverUntilStored(delivery);
    expect(answer.status).toBe(200);
    expect((await deliver(app, delivery)).body).toEqual({ received: true, duplicate: true });
    expect(handler().runs.filter((name) => name === delivery)).toHaveLength(1);
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
    const retry = await deliverUntilStored(delivery);
    expect([200, 409]).toContain(retry.status);
    expect(handler().runs.filter((name) => name === delivery)).toHaveLength(1);
  });

  it('skipped after the handlers ran: answered 200 at once, and the record still lands, so no second run', async () => {
    const delivery = id('record');
    // While the handler runs, Redis freezes and another request trips the breaker: the delivery's
    // "handled" record meets a skipped store.
    handler().during = async () => {
      redis.freeze();
      expect((await openPortal(app, 'ann')).status).toBe(200);
    };
    try {
      const webhook = await deliver(app, delivery);
      expect(webhook.status).toBe(200);
      expect(webhook.body).toEqual({ received: true });
      expect(app.logger.errors().join('\n')).toMatch(/PolarStoreSkippedError/);
    } finally {
      handler().during = undefined;
      redis.thaw();
    }
    // The record was sent all the same: once the store is used again the retry is a duplicate
    // (not a 409 on a claim left behind, which would run the handler again when it expires).
    const retry = await deliverUntilStored(delivery);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ received: true, duplicate: true });
    expect(handler().runs.filter((name) => name === delivery)).toHaveLength(1);
  });

  it('thawed: reuse and dedupe resume by themselves', async () => {
    const delivery = id('thawed');
    expect((await deliverUntilStored(delivery)).status).toBe(200);
    expect((await deliver(app, delivery)).body).toEqual({ received: true, duplicate: true });
    const before = sessionCalls().length;
    const first = await openPortal(app, 'ann');
    const second = await openPortal(app, 'ann');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual(first.body);
    expect(sessionCalls().length - before).toBeLessThanOrEqual(1);
  });

  it('killed mid-run: 200 from the portal and 503 for a webhook, in time; restarted: both recover by themselves', async () => {
    await redis.kill();
    await expectOutageAnswers(app, 'killed');

    await redis.restart();
    // The client reconnects with a backoff of at most 2 s, the breaker probes after storeBackoffMs;
    // every answer meanwhile is 503 or 200, in time.
    const delivery = id('restarted');
    const answer = await deliverUntilStored(delivery);
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
