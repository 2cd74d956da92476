import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import type { SpiedFunction } from 'jest-mock';
import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { OnPolarEvent } from '../../lib/webhooks/on-polar-event.decorator.js';
import type { PolarWebhookEvent } from '../../lib/webhooks/webhooks.types.js';
import { MAX_SIGNATURE_CANDIDATES, PolarWebhookVerifier } from '../../lib/webhooks/webhooks.verifier.js';
import {
  customerData,
  eventBody,
  NEXT_WEBHOOK_SECRET,
  signWebhook,
  TEST_WEBHOOK_SECRET,
} from '../../lib/webhooks/webhooks.fixtures.js';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../webhooks/webhooks-test-app.js';

const PATH = '/billing/webhooks';
const SECRETS = [TEST_WEBHOOK_SECRET, NEXT_WEBHOOK_SECRET];
/** Keys derived per secret, as the SDK derives them (the base64-decoded key and the secret's own bytes). */
const KEYS_PER_SECRET = 2;

@Injectable()
class Seen {
  types: string[] = [];
  @OnPolarEvent('*')
  onAny(event: PolarWebhookEvent): void {
    this.types.push(event.type);
  }
}

/** A candidate shaped exactly like a v1 signature that matches nothing. */
const bogus = () => `v1,${randomBytes(32).toString('base64')}`;

describe.each(ADAPTERS)('the webhook route bounds what a request can cost, over %s', (adapter) => {
  let web: WebhookApp;
  let seen: Seen;
  // Counts the HMACs the verifier computes over the body; calls through, changes nothing.
  let verify: SpiedFunction<(key: Buffer, prefix: string, rawBody: Uint8Array) => Buffer>;

  beforeAll(async () => {
    verify = jest.spyOn(
      PolarWebhookVerifier.prototype as unknown as {
        hmac: (key: Buffer, prefix: string, rawBody: Uint8Array) => Buffer;
      },
      'hmac',
    );
    web = await createWebhookApp({ adapter, webhooks: { secrets: SECRETS }, providers: [Seen] });
    seen = web.app.get(Seen);
  });
  afterAll(async () => {
    await web.app.close();
    verify.mockRestore();
  });
  beforeEach(() => {
    verify.mockClear();
    seen.types = [];
    web.logger.lines.length = 0;
  });

  const post = (body: string, headers: Record<string, string>) =>
    request(web.app.getHttpServer()).post(PATH).set(headers).send(body);

  it('hundreds of candidates in one header: 403 before any HMAC', async () => {
    const body = eventBody('customer.created');
    const headers = {
      ...signWebhook(body, TEST_WEBHOOK_SECRET),
      'webhook-signature': Array.from({ length: 300 }, bogus).join(' '),
    };
    const response = await post(body, headers);
    expect(response.status).toBe(403);
    expect(verify).not.toHaveBeenCalled();
    expect(seen.types).toEqual([]);
  });

  it('more candidates than allowed, even with the right one last: 403 before any HMAC', async () => {
    const body = eventBody('customer.created');
    const signed = signWebhook(body, TEST_WEBHOOK_SECRET);
    const candidates = [...Array.from({ length: MAX_SIGNATURE_CANDIDATES }, bogus), signed['webhook-signature']];
    const response = await post(body, { ...signed, 'webhook-signature': candidates.join(' ') });
    expect(response.status).toBe(403);
    expect(response.body.message).toContain(`More than ${MAX_SIGNATURE_CANDIDATES} signatures`);
    expect(verify).not.toHaveBeenCalled();
  });

  it('malformed candidates and an oversized header cost no HMAC', async () => {
    const body = eventBody('customer.created');
    const signed = signWebhook(body, TEST_WEBHOOK_SECRET);
    expect((await post(body, { ...signed, 'webhook-signature': 'v1,short v2,x v1,' })).status).toBe(403);
    expect(
      (await post(body, { ...signed, 'webhook-signature': `${signed['webhook-signature']} ${'x'.repeat(600)}` }))
        .status,
    ).toBe(403);
    expect((await post(body, { ...signed, 'webhook-id': 'm'.repeat(300) })).status).toBe(403);
    expect((await post(body, { ...signed, 'webhook-timestamp': '1e3' })).status).toBe(403);
    expect(verify).not.toHaveBeenCalled();
  });

  it('an unsigned request with the most candidates allowed costs one HMAC per key, not per candidate', async () => {
    const body = eventBody('customer.created');
    const candidates = Array.from({ length: MAX_SIGNATURE_CANDIDATES }, bogus).join(' ');
    const response = await post(body, { ...signWebhook(body, TEST_WEBHOOK_SECRET), 'webhook-signature': candidates });
    expect(response.status).toBe(403);
    expect(verify).toHaveBeenCalledTimes(KEYS_PER_SECRET * SECRETS.length);
  });

  it('a valid signature among the allowed candidates still verifies (second secret too)', async () => {
    const body = eventBody('customer.created');
    const signed = signWebhook(body, NEXT_WEBHOOK_SECRET);
    const candidates = [...Array.from({ length: MAX_SIGNATURE_CANDIDATES - 1 }, bogus), signed['webhook-signature']];
    const response = await post(body, { ...signed, 'webhook-signature': candidates.join(' ') });
    expect(response.status).toBe(200);
    expect(seen.types).toEqual(['customer.created']);
    expect(verify.mock.calls.length).toBeGreaterThan(0);
  });

  it.each([
    ['customer.deleted without data', JSON.stringify({ type: 'customer.deleted', timestamp: '2026-11-23T10:00:00Z' })],
    ['customer.created with data null', eventBody('customer.created', null)],
    ['customer.updated with an array as data', eventBody('customer.updated', [])],
    ['customer.deleted whose data has no id', eventBody('customer.deleted', customerData({ id: 7 }))],
  ])('a well-signed %s: 400, logged, no handler run, never a 500', async (_label, body) => {
    const response = await post(body, signWebhook(body, TEST_WEBHOOK_SECRET));
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^Webhook payload rejected: /);
    expect(seen.types).toEqual([]);
    expect(web.logger.errors().some((line) => line.includes('Rejected webhook delivery'))).toBe(true);
  });
});
