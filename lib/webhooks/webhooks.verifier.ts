import { webhooks } from '@polar-sh/sdk/2026-10';
import type { PolarWebhookEvent } from './webhooks.types.js';

/** Outcome of verifying one delivery against the configured secrets. */
export type PolarWebhookVerification =
  | { kind: 'event'; event: PolarWebhookEvent }
  | { kind: 'unknown-type'; type: string | null; payload: unknown }
  | { kind: 'invalid-signature'; reason: string }
  | { kind: 'invalid-payload'; reason: string };

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Most signatures one delivery may carry. Polar sends one (Standard Webhooks allows several during
 * a key rotation); each candidate costs an HMAC over the whole body per key, so an unsigned request
 * may not buy more than this many.
 */
export const MAX_SIGNATURE_CANDIDATES = 5;
/** Longest `webhook-signature` header read: room for the candidates above, and a little more. */
export const MAX_SIGNATURE_HEADER_LENGTH = 512;
/** Longest `webhook-id` accepted (Polar's are ~30 characters); it is also the dedupe key. */
export const MAX_WEBHOOK_ID_LENGTH = 256;
// `v1,` and the base64 of a 32-byte HMAC-SHA256: anything else can never match, so costs no HMAC.
const V1_SIGNATURE = /^v1,[A-Za-z0-9+/]{43}=$/;
const UNIX_SECONDS = /^\d{1,12}$/;

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
 * Verifies the exact raw bytes with the SDK's `webhooks.validateEvent`, trying each secret in turn
 * (rotation). Only a signature failure moves on to the next secret: an unknown type or an unreadable
 * payload is only reported once a secret has matched, so those outcomes are well signed.
 */
export async function verifyPolarWebhook(
  rawBody: Uint8Array,
  headers: Record<string, string>,
  secrets: readonly string[],
): Promise<PolarWebhookVerification> {
  const screened = screenSignatureHeaders(headers);
  if (!screened.ok) return { kind: 'invalid-signature', reason: screened.reason };
  let reason = 'No signing secret configured';
  for (const secret of secrets) {
    try {
      const event = await webhooks.validateEvent(rawBody, screened.headers, secret);
      const problem = envelopeProblem(event);
      return problem ? { kind: 'invalid-payload', reason: problem } : { kind: 'event', event };
    } catch (error) {
      if (error instanceof webhooks.PolarWebhookVerificationError) {
        reason = error.message;
        continue;
      }
      if (error instanceof webhooks.PolarWebhookUnknownTypeError) {
        return { kind: 'unknown-type', type: error.eventType, payload: parseVerified(rawBody) };
      }
      if (error instanceof webhooks.PolarWebhookError) {
        return { kind: 'invalid-payload', reason: error.message };
      }
      throw error;
    }
  }
  return { kind: 'invalid-signature', reason };
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

function parseVerified(rawBody: Uint8Array): unknown {
  // The SDK parsed these bytes already before it rejected the type, so this cannot throw.
  return JSON.parse(new TextDecoder().decode(rawBody)) as unknown;
}
