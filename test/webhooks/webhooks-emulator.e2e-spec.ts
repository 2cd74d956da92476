import { Injectable } from '@nestjs/common';
import type { webhooks } from '@polar-sh/sdk/2026-10';
// The public entries, as a user imports them.
import { OnPolarEvent, POLAR_CLIENT, type PolarClient, type PolarWebhookDelivery } from '../../lib/index.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';
import { ADAPTERS, createWebhookApp, type WebhookApp } from './webhooks-test-app.js';

/** What a real app does with customer events: keep its own copy in step with Polar. */
@Injectable()
class CustomerMirror {
  readonly byId = new Map<string, { email: string; name: string | null; deleted: boolean }>();
  readonly deliveries: PolarWebhookDelivery[] = [];
  failuresLeft = 0;

  @OnPolarEvent('customer.created', 'customer.updated')
  upsert(
    event: webhooks.WebhookCustomerCreatedPayload | webhooks.WebhookCustomerUpdatedPayload,
    delivery: PolarWebhookDelivery,
  ): void {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('mirror database unavailable');
    }
    this.deliveries.push(delivery);
    this.byId.set(event.data.id, { email: event.data.email ?? '', name: event.data.name ?? null, deleted: false });
  }

  @OnPolarEvent('customer.deleted')
  remove(event: webhooks.WebhookCustomerDeletedPayload, delivery: PolarWebhookDelivery): void {
    this.deliveries.push(delivery);
    const known = this.byId.get(event.data.id);
    if (known) known.deleted = true;
  }
}

describe.each(ADAPTERS)('emulator deliveries to the webhook route over %s', (adapter) => {
  let polar: PolarEmulator;
  let web: WebhookApp;
  let mirror: CustomerMirror;
  let client: PolarClient;
  let stopWebhooks: () => void;

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    web = await createWebhookApp(
      {
        adapter,
        api: { accessToken: polar.accessToken, baseUrl: polar.url },
        webhooks: { secrets: TEST_WEBHOOK_SECRET },
        providers: [CustomerMirror],
      },
      true,
    );
    mirror = web.app.get(CustomerMirror);
    client = web.app.get<PolarClient>(POLAR_CLIENT);
    stopWebhooks = polar.sendWebhooks({ url: web.url!, secret: TEST_WEBHOOK_SECRET, retryDelayMs: 20 });
  });

  afterAll(async () => {
    stopWebhooks?.();
    await web?.app.close();
    await polar?.stop();
  });

  it('create → update → delete through the SDK: each signed delivery reaches its handler once', async () => {
    const created = await client.customers.create({
      email: 'grace@mailinator.com',
      name: 'Grace',
      external_id: 'user_42',
    });
    await polar.waitForWebhooks();
    expect(mirror.byId.get(created.id)).toEqual({ email: 'grace@mailinator.com', name: 'Grace', deleted: false });

    await client.customers.update(created.id, { name: 'Grace Hopper' });
    await polar.waitForWebhooks();
    expect(mirror.byId.get(created.id)?.name).toBe('Grace Hopper');

    await client.customers.delete(created.id);
    await polar.waitForWebhooks();
    expect(mirror.byId.get(created.id)?.deleted).toBe(true);

    const attempts = polar.webhookDeliveries.filter((attempt) => attempt.url === web.url);
    const handled = attempts.filter((attempt) => attempt.type !== 'customer.state_changed');
    expect(handled.map((attempt) => [attempt.type, attempt.status])).toEqual([
      ['customer.created', 200],
      ['customer.updated', 200],
      ['customer.deleted', 200],
    ]);
    expect(mirror.deliveries.map((delivery) => delivery.id)).toEqual(handled.map((attempt) => attempt.id));
    // The emulator also sends customer.state_changed, which no handler here listens to: acknowledged, not retried.
    const unhandled = attempts.filter((attempt) => attempt.type === 'customer.state_changed');
    expect(unhandled.length).toBeGreaterThan(0);
    expect(unhandled.every((attempt) => attempt.status === 202 && attempt.attempt === 1)).toBe(true);
  });

  it('a failing handler answers 500, the emulator retries like Polar, and the retry is handled once', async () => {
    polar.reset();
    mirror.failuresLeft = 1;
    mirror.deliveries.length = 0;

    const created = await client.customers.create({ email: 'retry@mailinator.com' });
    await polar.waitForWebhooks();

    const attempts = polar.webhookDeliveries.filter((attempt) => attempt.type === 'customer.created');
    expect(attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(new Set(attempts.map((attempt) => attempt.id)).size).toBe(1);
    expect(mirror.deliveries).toHaveLength(1);
    expect(mirror.byId.get(created.id)?.email).toBe('retry@mailinator.com');
    expect(web.logger.errors().join('\n')).toContain('mirror database unavailable');
  });
});
