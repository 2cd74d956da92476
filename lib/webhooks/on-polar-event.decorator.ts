import 'reflect-metadata';
// Loaded here too, so the decorator works in a file that imports nothing from Nest before it.
import { POLAR_WEBHOOK_HANDLER_METADATA } from './webhooks.constants.js';
import type { PolarWebhookEventSelector, PolarWebhookHandlerFn } from './webhooks.types.js';

/**
 * Runs the decorated provider method for each verified Polar event of the given type(s) (`'*'`: all).
 * The method gets the typed payload and the delivery; if it throws, the webhook answers 500 and Polar retries.
 * @example
 * ```ts
 * @OnPolarEvent('customer.created')
 * async onCustomerCreated(event: WebhookCustomerCreatedPayload, delivery: PolarWebhookDelivery) {}
 * ```
 */
export function OnPolarEvent<T extends PolarWebhookEventSelector>(...types: [T, ...T[]]) {
  return <M extends PolarWebhookHandlerFn<T>>(
    _target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    const method = descriptor.value;
    if (typeof method !== 'function') {
      throw new TypeError(`@OnPolarEvent() decorates methods; ${String(propertyKey)} is not one`);
    }
    // Stacked decorators add up: @OnPolarEvent('a') @OnPolarEvent('b') handles both.
    const existing = (Reflect.getMetadata(POLAR_WEBHOOK_HANDLER_METADATA, method) as string[] | undefined) ?? [];
    Reflect.defineMetadata(POLAR_WEBHOOK_HANDLER_METADATA, [...new Set([...existing, ...types])], method);
  };
}
