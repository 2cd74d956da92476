import { randomBytes } from 'node:crypto';
import { eventBody, signWebhook, TEST_WEBHOOK_SECRET } from './webhooks.fixtures.js';
import type { PolarWebhookEvent } from './webhooks.types.js';
import { envelopeProblem, MAX_SIGNATURE_CANDIDATES, screenSignatureHeaders } from './webhooks.verifier.js';

const candidate = () => `v1,${randomBytes(32).toString('base64')}`;
const signed = signWebhook(eventBody('customer.created'), TEST_WEBHOOK_SECRET);

describe('screenSignatureHeaders', () => {
  it('passes a genuine header set unchanged', () => {
    expect(screenSignatureHeaders(signed)).toEqual({ ok: true, headers: signed });
  });

  it('hands the SDK only the v1-shaped candidates', () => {
    const many = Array.from({ length: MAX_SIGNATURE_CANDIDATES }, candidate);
    const mixed = [...many.slice(3), 'v2,abc', 'v1,short'].join(' ');
    const result = screenSignatureHeaders({ ...signed, 'webhook-signature': mixed });
    expect(result).toEqual({ ok: true, headers: { ...signed, 'webhook-signature': many.slice(3).join(' ') } });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'too many candidates',
      { 'webhook-signature': Array.from({ length: 6 }, candidate).join(' ') },
      'More than 5 signatures',
    ],
    ['an oversized header', { 'webhook-signature': 'v1,' + 'A'.repeat(600) }, 'webhook-signature header too long'],
    ['no v1-shaped candidate', { 'webhook-signature': 'v1,abc v1a,xyz' }, 'No matching signature found'],
    ['a long webhook-id', { 'webhook-id': 'x'.repeat(257) }, 'webhook-id header too long'],
    ['a non-integer timestamp', { 'webhook-timestamp': '1.7e9' }, 'Invalid signature headers'],
    ['a missing header', { 'webhook-id': '' }, 'Missing required headers'],
  ])('refuses %s before any HMAC', (_label, override, reason) => {
    expect(screenSignatureHeaders({ ...signed, ...override })).toEqual({ ok: false, reason });
  });
});

describe('envelopeProblem', () => {
  const event = (value: unknown) => value as PolarWebhookEvent;
  it('accepts an event with a data object, and a customer event with a string id', () => {
    expect(envelopeProblem(event({ type: 'order.paid', data: {} }))).toBeUndefined();
    expect(envelopeProblem(event({ type: 'customer.deleted', data: { id: 'c1' } }))).toBeUndefined();
  });
  it.each([
    [{ type: 'customer.deleted' }],
    [{ type: 'order.paid', data: null }],
    [{ type: 'order.paid', data: [1] }],
    [{ type: 'customer.updated', data: { id: 1 } }],
  ])('names what is wrong with %j', (value) => {
    expect(envelopeProblem(event(value))).toMatch(/event (without a data object|whose data has no string id)$/);
  });
});
