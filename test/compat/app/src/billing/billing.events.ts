import { Injectable } from '@nestjs/common';
import { OnPolarEvent, type PolarWebhookDelivery, type PolarWebhookEvent } from 'nestjs-polar';

@Injectable()
export class BillingEvents {
  readonly received: string[] = [];

  @OnPolarEvent('customer.created')
  onCustomerCreated(event: PolarWebhookEvent, delivery: PolarWebhookDelivery): void {
    this.received.push(`${event.type} ${delivery.id ? 'signed' : 'unsigned'}`);
  }
}
