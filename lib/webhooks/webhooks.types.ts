import type { webhooks } from '@polar-sh/sdk/2026-10';

/** Every event payload the SDK (API version 2026-10) knows, as a discriminated union on `type`. */
export type PolarWebhookEvent = webhooks.WebhookPayload;

/** The event types the SDK (API version 2026-10) knows, e.g. `'customer.created'`. */
export type PolarWebhookEventType = PolarWebhookEvent['type'];

/** What `@OnPolarEvent()` accepts: one event type, or `'*'` for every known event. */
export type PolarWebhookEventSelector = PolarWebhookEventType | '*';

/** The typed payload of one event type (`'*'` gives the whole union). */
export type PolarWebhookEventOf<T extends PolarWebhookEventSelector> = T extends '*'
  ? PolarWebhookEvent
  : Extract<PolarWebhookEvent, { type: T }>;

/** Facts about the delivery, passed to handlers as their second argument. */
export interface PolarWebhookDelivery {
  /** The `webhook-id` header: the same on every retry of one event, the dedupe key. */
  id: string;
  /** When Polar signed this attempt (the `webhook-timestamp` header). */
  timestamp: Date;
  /** The event type, e.g. `'customer.created'`. */
  type: PolarWebhookEventType;
}

export type { PolarUnknownWebhookEvent } from '../interfaces/polar-webhooks-options.interface.js';

/** A method that handles a Polar event: receives the typed payload and the delivery facts. */
export type PolarWebhookHandlerFn<T extends PolarWebhookEventSelector> = (
  event: PolarWebhookEventOf<T>,
  delivery: PolarWebhookDelivery,
) => unknown;
