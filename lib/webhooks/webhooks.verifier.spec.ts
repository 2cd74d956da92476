import {
  customerData,
  eventBody,
  NEXT_WEBHOOK_SECRET,
  signWebhook,
  TEST_WEBHOOK_SECRET,
} from './webhooks.fixtures.js';
import { signatureHeaders, verifyPolarWebhook } from './webhooks.verifier.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('verifyPolarWebhook', () => {
  it('returns the typed event when the first secret matches', async () => {
    const body = eventBody('customer.created', customerData({ email: 'a@mailinator.com' }));
    const result = await verifyPolarWebhook(bytes(body), signWebhook(body, TEST_WEBHOOK_SECRET), [TEST_WEBHOOK_SECRET]);

    expect(result.kind).toBe('event');
    expect(result.kind === 'event' && result.event.type).toBe('customer.created');
  });

  it('tries the next secret only after a signature failure (rotation)', async () => {
    const body = eventBody('customer.created');
    const result = await verifyPolarWebhook(bytes(body), signWebhook(body, NEXT_WEBHOOK_SECRET), [
      TEST_WEBHOOK_SECRET,
      NEXT_WEBHOOK_SECRET,
    ]);

    expect(result.kind).toBe('event');
  });

  it('reports an invalid signature with the reason when no secret matches', async () => {
    const body = eventBody('customer.created');
    const result = await verifyPolarWebhook(bytes(body), signWebhook(body, NEXT_WEBHOOK_SECRET), [TEST_WEBHOOK_SECRET]);

    expect(result).toEqual({ kind: 'invalid-signature', reason: 'No matching signature found' });
  });

  it('reports an unknown type with its parsed payload only when well signed', async () => {
    const body = JSON.stringify({ type: 'brand.new', data: { n: 1 } });
    const result = await verifyPolarWebhook(bytes(body), signWebhook(body, TEST_WEBHOOK_SECRET), [TEST_WEBHOOK_SECRET]);

    expect(result).toEqual({ kind: 'unknown-type', type: 'brand.new', payload: { type: 'brand.new', data: { n: 1 } } });
  });

  it('reports a well-signed body that is not JSON as an invalid payload', async () => {
    const body = 'not json';
    const result = await verifyPolarWebhook(bytes(body), signWebhook(body, TEST_WEBHOOK_SECRET), [TEST_WEBHOOK_SECRET]);

    expect(result).toEqual({ kind: 'invalid-payload', reason: 'Failed to parse webhook payload' });
  });
});

describe('signatureHeaders', () => {
  it('keeps only the Standard-Webhooks headers, lower-cased, and joins repeated signatures', () => {
    expect(
      signatureHeaders({
        'Webhook-Id': 'msg_1',
        'webhook-timestamp': '1',
        'webhook-signature': ['v1,a', 'v1,b'],
        authorization: 'Bearer x',
      }),
    ).toEqual({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,a v1,b' });
  });
});
