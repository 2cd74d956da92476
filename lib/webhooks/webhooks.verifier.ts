import { webhooks } from '@polar-sh/sdk/2026-10';
import type { PolarWebhookEvent } from './webhooks.types.js';

/** Outcome of verifying one delivery against the configured secrets. */
export type PolarWebhookVerification =
  | { kind: 'event'; event: PolarWebhookEvent }
  | { kind: 'unknown-type'; type: string | null; payload: unknown }
  | { kind: 'invalid-signature'; reason: string }
  | { kind: 'invalid-payload'; reason: string };

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

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
  let reason = 'No signing secret configured';
  for (const secret of secrets) {
    try {
      return { kind: 'event', event: await webhooks.validateEvent(rawBody, headers, secret) };
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

function parseVerified(rawBody: Uint8Array): unknown {
  // The SDK parsed these bytes already before it rejected the type, so this cannot throw.
  return JSON.parse(new TextDecoder().decode(rawBody)) as unknown;
}
