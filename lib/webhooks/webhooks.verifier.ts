import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PolarWebhookEvent, PolarWebhookEventType } from './webhooks.types.js';

/** Outcome of verifying one delivery against the configured secrets. */
export type PolarWebhookVerification =
  | { kind: 'event'; event: PolarWebhookEvent }
  | { kind: 'unknown-type'; type: string | null; payload: unknown }
  | { kind: 'invalid-signature'; reason: string }
  | { kind: 'invalid-payload'; reason: string };

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Most signatures one delivery may carry. Polar sends one (Standard Webhooks allows several during
 * a key rotation); more is refused before any HMAC, so a header of hundreds costs nothing.
 */
export const MAX_SIGNATURE_CANDIDATES = 5;
/** Longest `webhook-signature` header read: room for the candidates above, and a little more. */
export const MAX_SIGNATURE_HEADER_LENGTH = 512;
/** Longest `webhook-id` accepted (Polar's are ~30 characters); it is also the dedupe key. */
export const MAX_WEBHOOK_ID_LENGTH = 256;
/** How far `webhook-timestamp` may be from now, either way (the SDK's and Standard Webhooks' 5 minutes). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
// `v1,` and the base64 of a 32-byte HMAC-SHA256: anything else can never match, so costs no HMAC.
const V1_SIGNATURE = /^v1,[A-Za-z0-9+/]{43}=$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * The event types of the SDK's `webhooks.validateEvent` (API version 2026-10), at run time: the SDK
 * keeps its set private. The compiler holds this list to the SDK's union (`PolarWebhookEventType`)
 * in both directions, and webhooks.verifier.sdk.spec.ts holds it to the SDK's run-time set.
 */
export const POLAR_WEBHOOK_EVENT_TYPES = [
  'benefit.created',
  'benefit.updated',
  'benefit_grant.created',
  'benefit_grant.cycled',
  'benefit_grant.revoked',
  'benefit_grant.updated',
  'checkout.created',
  'checkout.expired',
  'checkout.updated',
  'customer.created',
  'customer.deleted',
  'customer.state_changed',
  'customer.updated',
  'customer_seat.assigned',
  'customer_seat.claimed',
  'customer_seat.revoked',
  'discount.created',
  'discount.deleted',
  'discount.updated',
  'member.created',
  'member.deleted',
  'member.updated',
  'order.created',
  'order.paid',
  'order.refunded',
  'order.updated',
  'organization.updated',
  'product.created',
  'product.updated',
  'refund.created',
  'refund.updated',
  'subscription.active',
  'subscription.canceled',
  'subscription.created',
  'subscription.cycled',
  'subscription.migrated',
  'subscription.past_due',
  'subscription.paused',
  'subscription.resumed',
  'subscription.revoked',
  'subscription.uncanceled',
  'subscription.updated',
] as const satisfies readonly PolarWebhookEventType[];
// A type the SDK knows and the list lacks fails to compile here.
type MissingEventTypes = Exclude<PolarWebhookEventType, (typeof POLAR_WEBHOOK_EVENT_TYPES)[number]>;
const everyEventTypeListed: [MissingEventTypes] extends [never] ? true : MissingEventTypes = true;
void everyEventTypeListed;
const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(POLAR_WEBHOOK_EVENT_TYPES);

/** Picks the Standard-Webhooks headers as single strings (Node gives arrays for repeated headers). */
export function signatureHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!(SIGNATURE_HEADERS as readonly string[]).includes(lower) || value === undefined) continue;
    // Repeated signature headers carry more candidate signatures: the SDK splits on spaces.
    picked[lower] = Array.isArray(value) ? value.join(lower === 'webhook-signature' ? ' ' : ',') : value;
  }
  return picked;
}

/**
 * The HMAC keys one secret may stand for, as the SDK's `validateEvent` derives them: the
 * Standard-Webhooks key (the base64 after `whsec_`, Polar's endpoints since 2026-09) and the
 * secret's own UTF-8 bytes (older endpoints). Standard first: it is the one that usually matches.
 */
function hmacKeysOf(secret: string): Buffer[] {
  const utf8 = Buffer.from(secret, 'utf8');
  const decoded = decodeBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  return decoded && decoded.length > 0 && !decoded.equals(utf8) ? [decoded, utf8] : [utf8];
}

/** `atob`'s reading of base64 (what the SDK uses), or null where it throws. */
function decodeBase64(value: string): Buffer | null {
  try {
    return Buffer.from(atob(value), 'latin1');
  } catch {
    return null;
  }
}

/**
 * Verifies deliveries against the configured secrets (rotation: any of them may match) with the
 * rules of the SDK's `webhooks.validateEvent` — headers present, timestamp within 5 minutes,
 * a `v1` HMAC-SHA256 over `id.timestamp.body` under one of each secret's keys, a JSON body of a
 * type the SDK knows — in one synchronous pass: the keys are derived once, each candidate costs one
 * native HMAC over the exact raw bytes, compared in constant time. (The SDK re-imports the keys into
 * WebCrypto and awaits a thread-pool job per key on every delivery: most of a delivery's CPU.)
 */
export class PolarWebhookVerifier {
  private readonly keys: Buffer[];
  private readonly decoder = new TextDecoder();

  constructor(secrets: readonly string[]) {
    const keys = secrets.flatMap(hmacKeysOf);
    // Standard-Webhooks keys first, whichever secret they come from; each key once.
    this.keys = keys.filter((key, i) => keys.findIndex((other) => other.equals(key)) === i);
  }

  /** Verifies the exact raw bytes of one delivery; `nowMs` is the clock (tests). */
  verify(rawBody: Uint8Array, headers: Record<string, string>, nowMs = Date.now()): PolarWebhookVerification {
    const screened = screenSignatureHeaders(headers);
    if (!screened.ok) return { kind: 'invalid-signature', reason: screened.reason };
    if (this.keys.length === 0) return { kind: 'invalid-signature', reason: 'No signing secret configured' };
    const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = screened.headers;
    const seconds = Number(timestamp);
    const now = nowMs / 1000;
    if (seconds < now - WEBHOOK_TOLERANCE_SECONDS)
      return { kind: 'invalid-signature', reason: 'Message timestamp too old' };
    if (seconds > now + WEBHOOK_TOLERANCE_SECONDS)
      return { kind: 'invalid-signature', reason: 'Message timestamp too new' };
    // As the SDK signs it: the timestamp as a number (a leading zero is not part of what is signed).
    if (!this.signedByAnyKey(`${id}.${Math.floor(seconds)}.`, rawBody, signature)) {
      return { kind: 'invalid-signature', reason: 'No matching signature found' };
    }
    let payload: unknown;
    try {
      payload = JSON.parse(this.decoder.decode(rawBody)) as unknown;
    } catch {
      return { kind: 'invalid-payload', reason: 'Failed to parse webhook payload' };
    }
    const type = (payload as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !KNOWN_EVENT_TYPES.has(type)) {
      return { kind: 'unknown-type', type: typeof type === 'string' ? type : null, payload };
    }
    const event = payload as PolarWebhookEvent;
    const problem = envelopeProblem(event);
    return problem ? { kind: 'invalid-payload', reason: problem } : { kind: 'event', event };
  }

  private signedByAnyKey(prefix: string, rawBody: Uint8Array, signature: string): boolean {
    // Screened: every candidate is `v1,` and the base64 of 32 bytes.
    const candidates = signature.split(' ').map((candidate) => Buffer.from(candidate.slice(3), 'base64'));
    // One HMAC per key, whatever the number of candidates.
    for (const key of this.keys) {
      const expected = this.hmac(key, prefix, rawBody);
      if (candidates.some((candidate) => timingSafeEqual(candidate, expected))) return true;
    }
    return false;
  }

  /** HMAC-SHA256 of `prefix` then the body's bytes (a method, so the hardening tests can count them). */
  protected hmac(key: Buffer, prefix: string, rawBody: Uint8Array): Buffer {
    return createHmac('sha256', key).update(prefix).update(rawBody).digest();
  }
}

/** Verifies one delivery against `secrets` (builds the keys each call: for tests and one-off checks). */
export function verifyPolarWebhook(
  rawBody: Uint8Array,
  headers: Record<string, string>,
  secrets: readonly string[],
): PolarWebhookVerification {
  return new PolarWebhookVerifier(secrets).verify(rawBody, headers);
}

/**
 * The cheap checks, before any HMAC: bounded header sizes, a plain timestamp, and only candidates
 * shaped like a v1 signature, at most `MAX_SIGNATURE_CANDIDATES` of them. What passes is handed to
 * the SDK unchanged apart from dropping candidates that could never match.
 */
export function screenSignatureHeaders(
  headers: Record<string, string>,
): { ok: true; headers: Record<string, string> } | { ok: false; reason: string } {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (!id || !timestamp || !signature) return { ok: false, reason: 'Missing required headers' };
  if (id.length > MAX_WEBHOOK_ID_LENGTH) return { ok: false, reason: 'webhook-id header too long' };
  if (!UNIX_SECONDS.test(timestamp)) return { ok: false, reason: 'Invalid signature headers' };
  if (signature.length > MAX_SIGNATURE_HEADER_LENGTH) {
    return { ok: false, reason: 'webhook-signature header too long' };
  }
  const candidates = signature.split(' ').filter((candidate) => candidate !== '');
  if (candidates.length > MAX_SIGNATURE_CANDIDATES) {
    return { ok: false, reason: `More than ${MAX_SIGNATURE_CANDIDATES} signatures` };
  }
  const wellFormed = candidates.filter((candidate) => V1_SIGNATURE.test(candidate));
  if (wellFormed.length === 0) return { ok: false, reason: 'No matching signature found' };
  return { ok: true, headers: { ...headers, 'webhook-signature': wellFormed.join(' ') } };
}

/**
 * Why a well-signed event of a known type is not one this module can hand to a handler, or
 * `undefined`: Polar's envelope is `{ type, timestamp, data }` with `data` an object, and every
 * `customer.*` event's `data` is a customer with a string `id` (read for `customer.deleted`).
 */
export function envelopeProblem(event: PolarWebhookEvent): string | undefined {
  const data: unknown = (event as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return `${event.type} event without a data object`;
  if (event.type.startsWith('customer.') && typeof (data as { id?: unknown }).id !== 'string') {
    return `${event.type} event whose data has no string id`;
  }
  return undefined;
}
