import { randomBytes, randomUUID } from 'node:crypto';
import { webhooks } from '@polar-sh/sdk/2026-10';
import type { PolarEmulatorOptions } from '../../lib/testing/index.js';
import { startEmulator, startReceiver, type EmulatorFixture, type Received } from './helpers.js';
import { specErrors, webhookSchemaName } from './spec-schema.js';

/** The event type of a received delivery. */
export const typeOf = (delivery: Received): string => (JSON.parse(delivery.body) as { type: string }).type;

/** What a billing suite holds once its `beforeAll` ran. */
export interface BillingSuite {
  f: EmulatorFixture;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  secret: string;
  /** Event types delivered since `from` (an index into the received list), after every delivery finished. */
  delivered(from?: number): Promise<string[]>;
  /** Every delivery so far is signed like Polar's and matches the spec's schema for its type. */
  expectSpecPayloads(): Promise<void>;
  /** A new customer with a random e-mail and external id, created through the SDK. */
  customer(): ReturnType<EmulatorFixture['sdk']['customers']['create']>;
}

/**
 * The frame every billing e2e suite shares: one emulator (no rate limit) for the file, a webhook endpoint that
 * records deliveries, and for each test a reset emulator that sends its webhooks there, signed with the suite's
 * secret. `warm` names a webhook whose spec schema to compile up front: compiling takes seconds on shared cores,
 * which belongs in `beforeAll`, not in a test's deadline. Call it inside `describe`; read the fields in tests.
 */
export function billingSuite(options: PolarEmulatorOptions = {}, warm?: string): BillingSuite {
  const suite = { secret: `whsec_${randomBytes(24).toString('base64')}` } as BillingSuite;
  let stopSending: () => void = () => undefined;

  beforeAll(async () => {
    suite.f = await startEmulator({ rateLimit: false, ...options });
    suite.receiver = await startReceiver();
    if (warm !== undefined) specErrors(webhookSchemaName(warm), {});
  }, 60_000);
  afterAll(async () => {
    await suite.f?.polar.stop();
    await suite.receiver?.close();
  });
  beforeEach(() => {
    suite.f.polar.reset();
    suite.receiver.received.length = 0;
    stopSending = suite.f.polar.sendWebhooks({ url: suite.receiver.url, secret: suite.secret, retryDelayMs: 10 });
  });
  afterEach(() => stopSending());

  suite.delivered = async (from = 0) => {
    await suite.f.polar.waitForWebhooks();
    return suite.receiver.received.slice(from).map(typeOf);
  };
  suite.expectSpecPayloads = async () => {
    await suite.f.polar.waitForWebhooks();
    for (const delivery of suite.receiver.received) {
      const headers = Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k, String(v)]));
      const type = typeOf(delivery);
      expect((await webhooks.validateEvent(delivery.body, headers, suite.secret)).type).toBe(type);
      expect([type, specErrors(webhookSchemaName(type), JSON.parse(delivery.body))]).toEqual([type, []]);
    }
  };
  suite.customer = () => {
    const id = randomUUID().slice(0, 8);
    return suite.f.sdk.customers.create({ email: `${id}@mailinator.com`, external_id: `usr_${id}` });
  };
  return suite;
}
