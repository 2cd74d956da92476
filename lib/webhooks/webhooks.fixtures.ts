import { createHmac, randomBytes } from 'node:crypto';

/** A real Standard-Webhooks secret used to sign the fixtures (never a stubbed verification). */
export const TEST_WEBHOOK_SECRET = 'whsec_' + Buffer.from('nestjs-polar test signing key 01').toString('base64');
/** A secret that is not `whsec_<base64>`: the SDK then uses its own bytes as the key. */
export const RAW_BYTES_SECRET = 'test_whs_Zb1TestOnlyNotARealSecret0123456789abcdEF';
/** A second secret, for rotation tests. */
export const NEXT_WEBHOOK_SECRET = 'whsec_' + Buffer.from('nestjs-polar test signing key 02').toString('base64');

export interface SignOptions {
  /** `webhook-id`; random by default. */
  id?: string;
  /** Unix seconds of `webhook-timestamp`; now by default. */
  timestamp?: number;
  /**
   * HMAC key: `'standard'` = base64-decoded after `whsec_` (Standard Webhooks); `'utf8'` = the
   * secret's own bytes (the SDK tries both).
   * @default 'standard'
   */
  key?: 'standard' | 'utf8';
}

/** Signs `body` like Polar does (Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`). */
export function signWebhook(body: string, secret: string, options: SignOptions = {}): Record<string, string> {
  const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const key =
    options.key === 'utf8' ? Buffer.from(secret, 'utf8') : Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}

/** A customer object shaped like the 2026-10 API's `Customer`. */
export function customerData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'b6a3d5a0-0000-4000-8000-000000000001',
    created_at: '2026-11-23T10:00:00Z',
    modified_at: null,
    metadata: {},
    external_id: 'user_1',
    email: 'ada@mailinator.com',
    email_verified: false,
    name: 'Ada Lovelace',
    billing_address: null,
    tax_id: null,
    organization_id: 'b6a3d5a0-0000-4000-8000-0000000000aa',
    deleted_at: null,
    avatar_url: null,
    ...overrides,
  };
}

/** A JSON body for an event of `type` (compact unless `indent` is given). */
export function eventBody(type: string, data: unknown = customerData(), indent?: number): string {
  return JSON.stringify({ type, timestamp: '2026-11-23T10:00:00Z', data }, null, indent);
}
