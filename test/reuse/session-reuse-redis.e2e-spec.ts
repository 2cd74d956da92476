import { CacheModule } from '@nestjs/cache-manager';
import { createKeyv } from '@keyv/redis';
import request from 'supertest';
import { CustomersService } from '../../lib/customers/customers.service.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { type RunningRedis, startRedisServer, describeWithRedisServer } from '../webhooks/redis-server.js';
import { ADAPTERS, createReuseApp, type ReuseApp, signedIn } from './reuse-test-app.js';

const PORTAL = '/billing/portal';
const describeWithRedis = describeWithRedisServer('the two-instance Redis session-reuse test');

const tokenOf = (url: string) => new URL(url).searchParams.get('customer_session_token');

describeWithRedis.each(ADAPTERS)('portal sessions shared through Redis by two app instances over %s', (adapter) => {
  let redis: RunningRedis;
  let polar: PolarEmulator;
  let instances: ReuseApp[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    polar = await PolarEmulator.start({ rateLimit: false });
  });
  afterAll(async () => {
    await polar?.stop();
    await redis?.stop();
  });
  beforeEach(async () => {
    polar.reset();
    // Two separate apps (as two processes would be), each with its own CacheModule over the same Redis.
    instances = await Promise.all(
      [1, 2].map(() =>
        createReuseApp({
          adapter,
          polar,
          imports: [
            CacheModule.register({
              isGlobal: true,
              stores: [createKeyv(redis.url, { namespace: `reuse-${adapter}` })],
            }),
          ],
          sessionReuse: { store: 'cache-manager' },
        }),
      ),
    );
  });
  afterEach(async () => {
    await Promise.all(instances.map((instance) => instance.app.close()));
    instances = [];
  });

  const sessionCalls = () => polar.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customer-sessions/');
  const open = async (instance: ReuseApp, user: string) => {
    const response = await request(instance.server).get(PORTAL).set(signedIn(user));
    return response;
  };

  it('a session made through instance A is reused by instance B', async () => {
    polar.seedCustomer({ external_id: `shared-${adapter}`, email: 'shared@mailinator.com' });
    const [a, b] = instances;
    const fromA = await open(a, `shared-${adapter}`);
    const fromB = await open(b, `shared-${adapter}`);
    expect(fromA.status).toBe(200);
    expect(fromB.status).toBe(200);
    expect(sessionCalls()).toHaveLength(1);
    expect(fromB.body).toEqual(fromA.body);
  });

  it("a customer deleted through instance A is no longer served from B's shared store", async () => {
    const customer = polar.seedCustomer({ external_id: `gone-${adapter}`, email: 'gone@mailinator.com' });
    const [a, b] = instances;
    const first = await open(b, `gone-${adapter}`);
    expect(first.status).toBe(200);
    expect(sessionCalls()).toHaveLength(1);

    // Deleted by Polar's id on A, while B's session was opened by external id.
    await a.app.get(CustomersService).delete(customer.id);
    // A's tombstones reach Redis asynchronously (one round trip); B reads them on its next visit.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const again = await open(b, `gone-${adapter}`);
    expect(again.status).toBe(404);
    expect(sessionCalls()).toHaveLength(2);

    const reborn = polar.seedCustomer({ external_id: `gone-${adapter}`, email: 'gone.new@mailinator.com' });
    const fresh = await open(b, `gone-${adapter}`);
    expect(fresh.status).toBe(200);
    expect(tokenOf(fresh.body.url)).not.toBe(tokenOf(first.body.url));
    expect(new URL(fresh.body.url).searchParams.get('email')).toBe('gone.new@mailinator.com');
    expect(reborn.external_id).toBe(`gone-${adapter}`);
  });
});
