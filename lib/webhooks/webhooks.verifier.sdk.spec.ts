import { webhooks } from '@polar-sh/sdk/2026-10';
import {
  customerData,
  eventBody,
  NEXT_WEBHOOK_SECRET,
  RAW_BYTES_SECRET,
  signWebhook,
  TEST_WEBHOOK_SECRET,
} from './webhooks.fixtures.js';
import { POLAR_WEBHOOK_EVENT_TYPES, PolarWebhookVerifier, type PolarWebhookVerification } from './webhooks.verifier.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const now = () => Math.floor(Date.now() / 1000);

/** The SDK's verdict on one delivery, in the verifier's terms. */
async function sdkVerdict(body: string, headers: Record<string, string>, secret: string): Promise<string> {
  try {
    const event = await webhooks.validateEvent(bytes(body), headers, secret);
    return `event ${event.type}`;
  } catch (error) {
    if (error instanceof webhooks.PolarWebhookVerificationError) return `invalid-signature ${error.message}`;
    if (error instanceof webhooks.PolarWebhookUnknownTypeError) return `unknown-type ${error.eventType}`;
    if (error instanceof webhooks.PolarWebhookError) return `invalid-payload ${error.message}`;
    throw error;
  }
}

function ourVerdict(result: PolarWebhookVerification): string {
  switch (result.kind) {
    case 'event':
      return `event ${result.event.type}`;
    case 'unknown-type':
      return `unknown-type ${result.type}`;
    default:
      return `${result.kind} ${result.reason}`;
  }
}

// The verifier does the SDK's job without its per-delivery WebCrypto round trips: it must agree
// with `webhooks.validateEvent` on every delivery, so it is checked against the SDK itself.
describe('PolarWebhookVerifier agrees with the SDK’s webhooks.validateEvent', () => {
  const body = eventBody('customer.updated', customerData({ name: 'Grace' }));
  const cases: Array<[string, string, Record<string, string>, string]> = [
    ['a Standard-Webhooks signature', body, signWebhook(body, TEST_WEBHOOK_SECRET), TEST_WEBHOOK_SECRET],
    [
      'a legacy (secret bytes) signature',
      body,
      signWebhook(body, TEST_WEBHOOK_SECRET, { key: 'utf8' }),
      TEST_WEBHOOK_SECRET,
    ],
    [
      'a secret that is not whsec_ base64',
      body,
      signWebhook(body, RAW_BYTES_SECRET, { key: 'utf8' }),
      RAW_BYTES_SECRET,
    ],
    ['another secret’s signature', body, signWebhook(body, NEXT_WEBHOOK_SECRET), TEST_WEBHOOK_SECRET],
    [
      'a body changed after signing',
      body.replace('Grace', 'Grac3'),
      signWebhook(body, TEST_WEBHOOK_SECRET),
      TEST_WEBHOOK_SECRET,
    ],
    [
      'a timestamp 6 minutes old',
      body,
      signWebhook(body, TEST_WEBHOOK_SECRET, { timestamp: now() - 360 }),
      TEST_WEBHOOK_SECRET,
    ],
    [
      'a timestamp 6 minutes ahead',
      body,
      signWebhook(body, TEST_WEBHOOK_SECRET, { timestamp: now() + 360 }),
      TEST_WEBHOOK_SECRET,
    ],
    [
      'a timestamp 4 minutes old',
      body,
      signWebhook(body, TEST_WEBHOOK_SECRET, { timestamp: now() - 240 }),
      TEST_WEBHOOK_SECRET,
    ],
    [
      'an unknown type',
      eventBody('brand.new'),
      signWebhook(eventBody('brand.new'), TEST_WEBHOOK_SECRET),
      TEST_WEBHOOK_SECRET,
    ],
    ['a body without a type', '{"data":{}}', signWebhook('{"data":{}}', TEST_WEBHOOK_SECRET), TEST_WEBHOOK_SECRET],
    ['a JSON array', '[1]', signWebhook('[1]', TEST_WEBHOOK_SECRET), TEST_WEBHOOK_SECRET],
    ['a body that is not JSON', 'not json', signWebhook('not json', TEST_WEBHOOK_SECRET), TEST_WEBHOOK_SECRET],
    ['non-ASCII text', eventBody('customer.updated', customerData({ name: 'Zoë 東京 🚀' })), {}, TEST_WEBHOOK_SECRET],
  ];

  it.each(cases)('%s', async (_label, sentBody, givenHeaders, secret) => {
    const headers = Object.keys(givenHeaders).length ? givenHeaders : signWebhook(sentBody, secret);
    const ours = new PolarWebhookVerifier([secret]).verify(bytes(sentBody), headers);
    expect(ourVerdict(ours)).toBe(await sdkVerdict(sentBody, headers, secret));
  });

  it('accepts a second signature of a rotation, as the SDK does', async () => {
    const next = signWebhook(body, NEXT_WEBHOOK_SECRET, { id: 'msg_rot', timestamp: now() });
    const current = signWebhook(body, TEST_WEBHOOK_SECRET, {
      id: 'msg_rot',
      timestamp: Number(next['webhook-timestamp']),
    });
    const headers = { ...current, 'webhook-signature': `${next['webhook-signature']} ${current['webhook-signature']}` };
    const ours = new PolarWebhookVerifier([TEST_WEBHOOK_SECRET]).verify(bytes(body), headers);
    expect(ourVerdict(ours)).toBe(await sdkVerdict(body, headers, TEST_WEBHOOK_SECRET));
    expect(ours.kind).toBe('event');
  });

  it('knows exactly the event types the SDK knows', async () => {
    for (const type of POLAR_WEBHOOK_EVENT_TYPES) {
      const typed = eventBody(type);
      const verdict = await sdkVerdict(typed, signWebhook(typed, TEST_WEBHOOK_SECRET), TEST_WEBHOOK_SECRET);
      expect(verdict).toBe(`event ${type}`);
    }
  });
});
