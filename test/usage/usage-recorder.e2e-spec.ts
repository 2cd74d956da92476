import { CacheModule } from '@nestjs/cache-manager';
import request from 'supertest';
import { PolarConfigurationError } from '../../lib/errors/polar-configuration.error.js';
import { PolarInputException } from '../../lib/errors/polar.exceptions.js';
import type { PolarUsageRejection } from '../../lib/interfaces/polar-usage-options.interface.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type PolarTestApp } from '../support/polar-app.js';
import { eventually, ingestCalls, ingested, usageApp } from './usage-harness.js';
import type { PolarUsageRecorder } from '../../lib/usage/usage.recorder.js';

const customer = { external_customer_id: 'user-1' };
const FAST_RETRY = { retryInitialDelayMs: 20, retryMaxDelayMs: 100 };

describe('PolarUsageRecorder against the emulator', () => {
  let polar: PolarEmulator;
  let running: (PolarTestApp & { recorder: PolarUsageRecorder }) | undefined;

  beforeEach(async () => {
    polar = await PolarEmulator.start({ rateLimit: false });
  });
  afterEach(async () => {
    await running?.app.close();
    running = undefined;
    await polar.stop();
  });

  const start = async (...args: Parameters<typeof usageApp> extends [unknown, ...infer R] ? R : never) => {
    running = await usageApp(polar, ...args);
    return running;
  };

  it('sends a batch as soon as maxBatchSize events wait, each event with its own external_id', async () => {
    const { recorder } = await start({ maxBatchSize: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) expect(recorder.record({ name: 'api_call', customer, metadata: { i } })).toBe(true);

    await eventually('two full batches', () => recorder.stats().delivered === 20);
    expect(ingestCalls(polar)).toEqual([
      { status: 200, events: 10 },
      { status: 200, events: 10 },
    ]);
    const events = ingested(polar);
    expect(new Set(events.map((event) => event.external_id)).size).toBe(20);
    expect(events.map((event) => (event.metadata as { i: number }).i)).toEqual([...Array(20).keys()]);
    expect(events[0]).toMatchObject({ name: 'api_call', external_customer_id: 'user-1', customer_id: null });
    expect(recorder.stats()).toMatchObject({ recorded: 25, delivered: 20, pending: 5 });
  });

  it('sends a batch that is not full once flushIntervalMs has passed', async () => {
    const { recorder } = await start({ maxBatchSize: 1000, flushIntervalMs: 150 });
    recorder.record({ name: 'api_call', customer });
    recorder.record({ name: 'api_call', customer: { external_customer_id: 'user-2' } });
    expect(ingestCalls(polar)).toEqual([]);

    await eventually('the timed batch', () => ingested(polar).length === 2);
    expect(ingestCalls(polar)).toEqual([{ status: 200, events: 2 }]);
  });

  it('resends after 503, 502, 429 and a reset connection, until Polar has every event once', async () => {
    polar.faults.failNext(1, 503, { path: '/v1/events' });
    polar.faults.failNext(1, 502, { path: '/v1/events' });
    polar.faults.failNext(1, 429, { path: '/v1/events' });
    polar.faults.resetConnection({ path: '/v1/events', times: 1 });
    const { recorder, logger } = await start({ maxBatchSize: 5, flushIntervalMs: 60_000, ...FAST_RETRY });
    for (let i = 0; i < 5; i++) recorder.record({ name: 'api_call', customer, metadata: { i } });

    await eventually('delivery after four failures', () => recorder.stats().delivered === 5);
    expect(ingested(polar)).toHaveLength(5);
    expect(recorder.stats()).toMatchObject({ retries: 4, ingestCalls: 5, duplicates: 0, rejected: 0 });
    expect(logger.at('warn').filter((line) => line.includes('resending 5 usage event(s)'))).toHaveLength(4);
    expect(logger.text()).not.toContain(polar.accessToken);
  });

  it('resends a batch Polar applied but answered too late, and Polar counts it once (external_id)', async () => {
    // The first attempt is ingested after the recorder stopped waiting for it (timeoutMs 300).
    polar.faults.latency(800, { path: '/v1/events', times: 1 });
    const { recorder } = await start({ maxBatchSize: 3, flushIntervalMs: 60_000, ...FAST_RETRY }, { timeoutMs: 300 });
    for (let i = 0; i < 3; i++) recorder.record({ name: 'api_call', customer, metadata: { i } });

    await eventually('the resend confirmed', () => recorder.stats().delivered === 3);
    await eventually('the late first attempt applied', () => ingestCalls(polar).length >= 2);
    expect(recorder.stats().retries).toBeGreaterThanOrEqual(1);
    // However the two attempts interleaved at the emulator, it holds each event once.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(ingested(polar)).toHaveLength(3);
    expect(new Set(ingested(polar).map((event) => event.external_id)).size).toBe(3);
  });

  it('splits a batch Polar refuses: the good events are ingested, the bad one is reported with its error', async () => {
    const rejections: PolarUsageRejection[] = [];
    const known = polar.seedCustomer({ email: 'known@mailinator.com' });
    const unknownId = '0b6a3c7e-9d2f-4b8a-8c1e-2f3a4b5c6d7e';
    const { recorder, logger } = await start({
      maxBatchSize: 6,
      flushIntervalMs: 60_000,
      onRejected: (rejection) => rejections.push(rejection),
    });
    for (let i = 0; i < 6; i++) {
      recorder.record({
        name: 'api_call',
        customer: i === 3 ? { customer_id: unknownId } : { customer_id: known.id },
        metadata: { i, secret_note: `note-${i}` },
      });
    }

    await eventually('the batch settled', () => recorder.stats().pending === 0);
    expect(ingested(polar).map((event) => (event.metadata as { i: number }).i)).toEqual([0, 1, 2, 4, 5]);
    expect(ingestCalls(polar).map((call) => [call.status, call.events])).toEqual([
      [422, 6],
      [200, 5],
    ]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]!.event).toMatchObject({ customer_id: unknownId, metadata: { i: 3 } });
    expect(rejections[0]!.errors).toEqual([{ loc: ['customer_id'], msg: 'Customer not found.', type: 'customer_id' }]);
    expect(recorder.stats()).toMatchObject({ delivered: 5, rejected: 1 });
    const warning = logger.at('warn').find((line) => line.includes('Polar refused usage event'))!;
    expect(warning).toContain(rejections[0]!.event.external_id);
    expect(warning).toContain('Customer not found. (at customer_id)');
    // Metadata is the app's data: never logged.
    expect(logger.text()).not.toContain('note-3');
  });

  it('halves a refused batch when Polar names no event, so nothing good is dropped', async () => {
    polar.faults.failNext(1, 422, { path: '/v1/events' });
    const { recorder } = await start({ maxBatchSize: 8, flushIntervalMs: 60_000 });
    for (let i = 0; i < 8; i++) recorder.record({ name: 'api_call', customer, metadata: { i } });

    await eventually('the halves delivered', () => recorder.stats().delivered === 8);
    expect(ingestCalls(polar).map((call) => [call.status, call.events])).toEqual([
      [422, 8],
      [200, 4],
      [200, 4],
    ]);
    expect(ingested(polar)).toHaveLength(8);
    expect(recorder.stats().rejected).toBe(0);
  });

  it('flushes what is buffered when the app shuts down', async () => {
    const { recorder, app } = await start({ maxBatchSize: 1000, flushIntervalMs: 60_000 });
    for (let i = 0; i < 7; i++) recorder.record({ name: 'api_call', customer, metadata: { i } });
    expect(ingested(polar)).toHaveLength(0);

    await app.close();
    running = undefined;
    expect(ingested(polar)).toHaveLength(7);
    expect(recorder.stats()).toMatchObject({ delivered: 7, pending: 0, unflushedAtShutdown: 0 });
    expect(recorder.record({ name: 'late', customer })).toBe(false);
  });

  it('gives up at usage.shutdownTimeoutMs when Polar is down, and says how many events were not delivered', async () => {
    polar.faults.forceStatus(503, { path: '/v1/events' });
    const { recorder, app, logger } = await start({
      maxBatchSize: 1000,
      flushIntervalMs: 60_000,
      shutdownTimeoutMs: 400,
      ...FAST_RETRY,
    });
    for (let i = 0; i < 4; i++) recorder.record({ name: 'api_call', customer });

    await app.close();
    running = undefined;
    expect(ingested(polar)).toHaveLength(0);
    expect(recorder.stats()).toMatchObject({ delivered: 0, unflushedAtShutdown: 4 });
    expect(logger.errors().join('\n')).toContain(
      '4 usage event(s) were not delivered to Polar within usage.shutdownTimeoutMs (400 ms) and are lost',
    );
  });

  it('refuses and counts events past maxBufferedEvents while Polar is down, then delivers the rest', async () => {
    polar.faults.forceStatus(503, { path: '/v1/events' });
    const { recorder, logger } = await start({
      maxBatchSize: 5,
      maxBufferedEvents: 5,
      flushIntervalMs: 50,
      ...FAST_RETRY,
    });
    const accepted = Array.from({ length: 8 }, (_, i) =>
      recorder.record({ name: 'api_call', customer, metadata: { i } }),
    );

    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(recorder.stats()).toMatchObject({ recorded: 5, dropped: 3 });
    expect(logger.at('warn').join('\n')).toContain(
      'Usage buffer full (usage.maxBufferedEvents = 5): 1 event(s) refused',
    );
    await eventually('a few failed attempts', () => recorder.stats().retries >= 2);
    polar.faults.clear();
    await eventually('delivery once Polar is back', () => recorder.stats().delivered === 5);
    expect(ingested(polar).map((event) => (event.metadata as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses bad input at record() with a 400 naming the field and the rule; nothing is buffered', async () => {
    const { recorder } = await start({});
    const bad: Array<[unknown, RegExp]> = [
      [{ name: '', customer }, /name must be a string of 1 to 128 characters \(isEventName\)/],
      [{ name: 'x'.repeat(129), customer }, /isEventName/],
      [
        { name: 'a', customer: {} },
        /customer must be an object with exactly one of customer_id or external_customer_id/,
      ],
      [{ name: 'a', customer: { customer_id: 'nope' } }, /customer.customer_id must be a version-4 UUID/],
      [{ name: 'a', customer: { customer_id: 'x', external_customer_id: 'y' } }, /isOneCustomer/],
      [{ name: 'a', customer, metadata: { nested: { no: 1 } } }, /metadata.nested must be a string/],
    ];
    for (const [input, message] of bad) {
      let thrown: unknown;
      try {
        recorder.record(input as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PolarInputException);
      expect((thrown as PolarInputException).getStatus()).toBe(400);
      expect((thrown as Error).message).toMatch(message);
    }
    expect(recorder.stats()).toMatchObject({ recorded: 0, pending: 0 });
  });

  it('sends what was validated: a later change to the metadata object does not reach Polar', async () => {
    const { recorder } = await start({ flushIntervalMs: 50 });
    const metadata: Record<string, string | number> = { tokens: 5 };
    recorder.record({ name: 'completion', customer, metadata });
    metadata.tokens = 999;
    await eventually('delivered', () => ingested(polar).length === 1);
    expect(ingested(polar)[0]!.metadata).toEqual({ tokens: 5 });
  });

  it("stops start-up when usage.buffer is 'cache-manager' but the app's cache is not the README's Redis", async () => {
    const failed = await usageApp(
      polar,
      { buffer: 'cache-manager' },
      { imports: [CacheModule.register({ isGlobal: true })] },
    ).then(
      (app) => {
        running = app;
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(PolarConfigurationError);
    expect((failed as PolarConfigurationError).option).toBe('usage.buffer');
    expect((failed as Error).message).toContain("'cache-manager' needs the app's CacheModule over a standalone Redis");
  });

  describe.each(ADAPTERS)('@TrackUsage over %s', (adapter) => {
    it('records one event per successful request, for the resolver’s customer, and none for a failed or anonymous one', async () => {
      const { server, recorder } = await start({ flushIntervalMs: 50 }, { adapter });
      await request(server).get('/metered/search?q=cats').set('x-user', 'user-7').expect(200);
      await request(server).get('/metered/search?q=dogs').set('x-user', 'user-8').expect(200);
      await request(server).get('/metered/refused').set('x-user', 'user-7').expect(402);
      await request(server).get('/metered/search?q=anon').expect(200);

      await eventually(
        'two events and one unattributed',
        () => ingested(polar).length === 2 && recorder.stats().unattributed === 1,
      );
      await recorder.flush();
      expect(
        ingested(polar)
          .map((event) => [event.name, event.external_customer_id, event.metadata])
          .sort(),
      ).toEqual([
        ['search', 'user-7', { q: 'cats' }],
        ['search', 'user-8', { q: 'dogs' }],
      ]);
      expect(recorder.stats()).toMatchObject({ recorded: 2, unattributed: 1 });
    });
  });
});
