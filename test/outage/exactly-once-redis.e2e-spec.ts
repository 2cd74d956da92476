import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type PolarTestApp } from '../support/polar-app.js';
import { type RunningRedis, startRedisServer, describeWithRedisServer } from '../webhooks/redis-server.js';
import { CountingHandler, createOutageApp, deliver } from './outage-app.js';

const describeWithRedis = describeWithRedisServer('the exactly-once Redis test');
const PARALLEL = 50;

describeWithRedis.each(ADAPTERS)(
  "exactly once across two instances with the README's Redis setup, over %s",
  (adapter) => {
    let polar: PolarEmulator;
    let redis: RunningRedis;
    let instances: PolarTestApp[] = [];

    beforeAll(async () => {
      polar = await PolarEmulator.start({ rateLimit: false });
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.app.close()));
      await redis?.stop();
      await polar?.stop();
    });

    it(`${PARALLEL} parallel deliveries of one webhook-id on each of two instances run the handler once`, async () => {
      // Nothing but CacheModule over createKeyv(url) and dedupe: { store: 'cache-manager' }: no client passed by hand.
      instances = await Promise.all([1, 2].map(() => createOutageApp(adapter, polar, redis.url)));
      const handlers = instances.map((instance) => instance.app.get(CountingHandler));
      // Slow enough that every delivery arrives while the first is still running.
      for (const handler of handlers) handler.during = () => new Promise((resolve) => setTimeout(resolve, 300));
      const id = `msg_once_${adapter}`;

      const answers = await Promise.all(
        instances.flatMap((instance) => Array.from({ length: PARALLEL }, () => deliver(instance, id, 'Once'))),
      );

      expect(handlers.flatMap((handler) => handler.runs)).toEqual(['Once']);
      const statuses = answers.map((answer) => answer.status);
      // One ran it (200); the others found it in progress (409: Polar retries) or already done (200 duplicate).
      expect(statuses.filter((status) => status === 200 || status === 409)).toHaveLength(2 * PARALLEL);
      expect(answers.filter((answer) => answer.status === 200 && !answer.body.duplicate)).toHaveLength(1);

      // Polar's retries of the 409s land after the run: duplicates on either instance, the handler not run again.
      for (const instance of instances) {
        expect((await deliver(instance, id, 'Once')).body).toEqual({ received: true, duplicate: true });
      }
      expect(handlers.flatMap((handler) => handler.runs)).toEqual(['Once']);
    });
  },
);
