import { PolarEmulator } from '../../lib/testing/index.js';
import type { PolarTestApp } from '../support/polar-app.js';
import type { PolarUsageRecorder } from '../../lib/usage/usage.recorder.js';
import { eventually, ingestCalls, ingested, injectFaults, usageApp } from './usage-harness.js';

const EVENTS = 5000;

describe('exact counts under injected faults', () => {
  let polar: PolarEmulator;
  let running: (PolarTestApp & { recorder: PolarUsageRecorder }) | undefined;

  beforeAll(async () => {
    polar = await PolarEmulator.start({ rateLimit: false, maxRecordedRequests: 100_000 });
  });
  afterAll(async () => {
    await running?.app.close();
    await polar?.stop();
  });

  it(`${EVENTS} events with faults in about 5% of the ingest calls: the emulator holds exactly the recorded events`, async () => {
    running = await usageApp(
      polar,
      { maxBatchSize: 20, flushIntervalMs: 20, retryInitialDelayMs: 5, retryMaxDelayMs: 50 },
      { timeoutMs: 250 },
    );
    const { recorder } = running;
    const faults = injectFaults(polar, { ratio: 0.05, seed: 18, lateMs: 400 });
    try {
      for (let i = 0; i < EVENTS; i++) {
        expect(
          recorder.record({ name: 'api_call', customer: { external_customer_id: `user-${i % 7}` }, metadata: { i } }),
        ).toBe(true);
        if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
      }
      await eventually('every event confirmed', () => recorder.stats().delivered === EVENTS, 120_000);
    } finally {
      faults.stop();
    }
    // A late attempt may still be applied after the resend was confirmed: wait it out.
    await new Promise((resolve) => setTimeout(resolve, 600));

    const events = ingested(polar);
    expect(events).toHaveLength(EVENTS);
    expect(new Set(events.map((event) => event.external_id)).size).toBe(EVENTS);
    expect(new Set(events.map((event) => (event.metadata as { i: number }).i)).size).toBe(EVENTS);
    const calls = ingestCalls(polar);
    const failed = calls.filter((call) => call.status !== 200).length;
    const armed = Object.values(faults.armed).reduce((sum, n) => sum + n, 0);
    // The faults happened (about 5% of the calls) and every one of them was retried.
    expect(armed).toBeGreaterThan(0);
    expect(armed / calls.length).toBeLessThan(0.15);
    expect(recorder.stats()).toMatchObject({
      recorded: EVENTS,
      delivered: EVENTS,
      rejected: 0,
      dropped: 0,
      pending: 0,
    });
    expect(recorder.stats().retries).toBeGreaterThanOrEqual(failed);
  }, 180_000);
});
