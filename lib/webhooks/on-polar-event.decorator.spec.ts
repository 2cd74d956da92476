import type { webhooks } from '@polar-sh/sdk/2026-10';
import { OnPolarEvent } from './on-polar-event.decorator.js';
import { POLAR_WEBHOOK_HANDLER_METADATA } from './webhooks.constants.js';
import type { PolarWebhookEvent } from './webhooks.types.js';

class Handlers {
  @OnPolarEvent('customer.created')
  @OnPolarEvent('customer.updated', 'customer.created')
  onCustomer(_event: webhooks.WebhookCustomerCreatedPayload | webhooks.WebhookCustomerUpdatedPayload): void {}

  @OnPolarEvent('*')
  onAny(_event: PolarWebhookEvent): void {}

  // @ts-expect-error a customer.created handler cannot declare an order payload (checked by tsc --noEmit)
  @OnPolarEvent('customer.created')
  wrongPayload(_event: webhooks.WebhookOrderPaidPayload): void {}
}

describe('@OnPolarEvent', () => {
  it('records the event types on the method, stacking without duplicates', () => {
    expect(Reflect.getMetadata(POLAR_WEBHOOK_HANDLER_METADATA, Handlers.prototype.onCustomer)).toEqual([
      'customer.updated',
      'customer.created',
    ]);
    expect(Reflect.getMetadata(POLAR_WEBHOOK_HANDLER_METADATA, Handlers.prototype.onAny)).toEqual(['*']);
  });
});
