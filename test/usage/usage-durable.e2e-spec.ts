import { CacheModule } from '@nestjs/cache-manager';
import { createKeyv } from '@keyv/redis';
import { PolarEmulator } from '../../lib/testing/index.js';
import { type RunningRedis, startRedisServer, describeWithRedisServer } from '../webhooks/redis-server.js';
import { eventually, ingested, usageApp } from './usage-harness.js';

const describeWithRedis = describeWithRedisServer('the durable usage buffer test');

describeWithRedis("the durable usage buffer on the README's Redis setup", () => {
  let polar: PolarEmulator;
  let redis: RunningRedis;

  beforeAll(async () => {
    polar = await PolarEmulator.start({ rateLimit: false });
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
    await polar?.stop();
  });

  const durableApp = () =>
    usageApp(
      polar,
      {
        buffer: 'cache-manager',
        flushIntervalMs: 50,
        shutdownTimeoutMs: 300,
        retryInitialDelayMs: 20,
        retryMaxDelayMs: 100,
      },
      { imports: [CacheModule.register({ isGlobal: true, stores: [createKeyv(redis.url)] })] },
    );

  it('keeps what a shutdown could not deliver, and the next start delivers it once', async () => {
    polar.faults.forceStatus(503, { path: '/v1/events' });
    const first = await durableApp();
    for (let i = 0; i < 3; i++)
      first.recorder.record({ name: 'api_call', customer: { external_customer_id: 'u' }, metadata: { i } });
    await first.recorder.whenDurable();

    await first.app.close();
    expect(first.recorder.stats()).toMatchObject({ delivered: 0, unflushedAtShutdown: 3 });
    expect(first.logger.at('warn').join('\n')).toContain(
      '3 usage event(s) were not delivered to Polar within usage.shutdownTimeoutMs (300 ms); they stay in the durable buffer',
    );
    // The last attempt the shutdown gave up on may still be on its way into the emulator (same
    // process): let it be answered (503) before Polar comes back, so this start's events are new there.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ingested(polar)).toHaveLength(0);

    polar.faults.clear();
    const second = await durableApp();
    try {
      await eventually('the recovered events delivered', () => second.recorder.stats().delivered === 3);
      expect(second.recorder.stats()).toMatchObject({ recovered: 3, duplicates: 0 });
      expect(
        ingested(polar)
          .map((event) => (event.metadata as { i: number }).i)
          .sort(),
      ).toEqual([0, 1, 2]);
      await second.recorder.flush();
    } finally {
      await second.app.close();
    }

    // Nothing is left: a third start recovers nothing.
    const third = await durableApp();
    try {
      expect(third.recorder.stats().recovered).toBe(0);
    } finally {
      await third.app.close();
    }
    expect(ingested(polar)).toHaveLength(3);
  });
});
