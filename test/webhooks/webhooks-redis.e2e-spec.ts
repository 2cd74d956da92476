import { Injectable } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import { createClient, createKeyv } from '@keyv/redis';
import type { webhooks } from '@polar-sh/sdk/2026-10';
import { createCache } from 'cache-manager';
import request from 'supertest';
import { OnPolarEvent, type PolarAtomicClaims, PolarCacheManagerDedupeStore } from '../../lib/index.js';
import { type RunningRedis, startRedisServer, describeWithRedisServer } from './redis-server.js';
import { customerData, eventBody, signWebhook, TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';
import { ADAPTERS, createWebhookApp, type WebhookApp } from './webhooks-test-app.js';

const PATH = '/billing/webhooks';
const describeWithRedis = describeWithRedisServer('the two-instance Redis dedupe test');

@Injectable()
class CountingHandler {
  runs: string[] = [];
  delayMs = 0;

  @OnPolarEvent('customer.updated')
  async onUpdated(event: webhooks.WebhookCustomerUpdatedPayload): Promise<void> {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.runs.push(event.data.name ?? '');
  }
}

/** Redis `SET key 1 NX PX ttl` / `DEL key`: the atomic claim cache-manager itself lacks. */
function redisClaims(url: string): { client: ReturnType<typeof newClient>; claims: PolarAtomicClaims } {
  const client = newClient(url);
  const claims: PolarAtomicClaims = {
    setIfAbsent: async (key, ttlMs) =>
      (await client.set(key, '1', { condition: 'NX', expiration: { type: 'PX', value: ttlMs } })) === 'OK',
    delete: async (key) => {
      await client.del(key);
    },
  };
  return { client, claims };
}

function newClient(url: string) {
  return createClient({ url });
}

describeWithRedis.each(ADAPTERS)('dedupe shared through Redis by two app instances over %s', (adapter) => {
  let redis: RunningRedis;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  const deliver = (web: WebhookApp, body: string, headers: Record<string, string>) =>
    request(web.app.getHttpServer()).post(PATH).set(headers).send(body);

  it("with store 'cache-manager' (CacheModule over @keyv/redis), a delivery handled by one instance is a duplicate on the other", async () => {
    const instances = await Promise.all(
      [1, 2].map(() =>
        createWebhookApp({
          adapter,
          imports: [CacheModule.register({ stores: [createKeyv(redis.url)] })],
          webhooks: { secrets: TEST_WEBHOOK_SECRET, dedupe: { store: 'cache-manager' } },
          providers: [CountingHandler],
        }),
      ),
    );
    const [a, b] = instances;
    try {
      const body = eventBody('customer.updated', customerData({ name: 'Shared' }));
      const headers = signWebhook(body, TEST_WEBHOOK_SECRET, { id: `msg_shared_${adapter}` });

      const first = await deliver(a, body, headers);
      const second = await deliver(b, body, headers);

      expect(first.status).toBe(200);
      expect(first.body).toEqual({ received: true });
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ received: true, duplicate: true });
      expect(a.app.get(CountingHandler).runs).toEqual(['Shared']);
      expect(b.app.get(CountingHandler).runs).toEqual([]);
    } finally {
      await Promise.all(instances.map((web) => web.app.close()));
    }
  });

  it('with atomic Redis claims, the same delivery reaching both instances at once runs the handler once', async () => {
    const redisClaimsPerInstance = [redisClaims(redis.url), redisClaims(redis.url)];
    const clients = redisClaimsPerInstance.map(({ client }) => client);
    await Promise.all(clients.map((client) => client.connect()));
    const caches = clients.map(() => createCache({ stores: [createKeyv(redis.url)] }));
    const instances = await Promise.all(
      redisClaimsPerInstance.map(({ claims }, index) =>
        createWebhookApp({
          adapter,
          webhooks: {
            secrets: TEST_WEBHOOK_SECRET,
            dedupe: { store: new PolarCacheManagerDedupeStore(caches[index], { claims }) },
          },
          providers: [CountingHandler],
        }),
      ),
    );
    const [a, b] = instances;
    try {
      a.app.get(CountingHandler).delayMs = 300;
      b.app.get(CountingHandler).delayMs = 300;
      const body = eventBody('customer.updated', customerData({ name: 'Raced' }));
      const headers = signWebhook(body, TEST_WEBHOOK_SECRET, { id: `msg_race_${adapter}` });

      const answers = await Promise.all([deliver(a, body, headers), deliver(b, body, headers)]);

      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      const runs = [...a.app.get(CountingHandler).runs, ...b.app.get(CountingHandler).runs];
      expect(runs).toEqual(['Raced']);

      // Polar retries the 409: by then the delivery is recorded, on whichever instance it lands.
      const retryA = await deliver(a, body, headers);
      const retryB = await deliver(b, body, headers);
      expect(retryA.body).toEqual({ received: true, duplicate: true });
      expect(retryB.body).toEqual({ received: true, duplicate: true });
      expect([...a.app.get(CountingHandler).runs, ...b.app.get(CountingHandler).runs]).toEqual(['Raced']);
    } finally {
      await Promise.all(instances.map((web) => web.app.close()));
      await Promise.all(caches.map((cache) => cache.disconnect()));
      await Promise.all(clients.map((client) => client.quit()));
    }
  });
});
