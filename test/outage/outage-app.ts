import { Injectable } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import { createKeyv } from '@keyv/redis';
import type { webhooks } from '@polar-sh/sdk/2026-10';
import request from 'supertest';
import { OnPolarEvent } from '../../lib/index.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { customerData, eventBody, signWebhook, TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';
import { type AdapterName, type PolarTestApp, polarTestApp } from '../support/polar-app.js';

export const PORTAL = '/billing/portal';
export const WEBHOOKS = '/billing/webhooks';
/** The deadline the outage apps run with (the default, so the tests measure what users get). */
export const STORE_TIMEOUT_MS = 1500;
/** Slack for a loaded machine (2 cores shared by several test runs): a harness bound, not a behaviour. */
export const SLACK_MS = 2000;
/** The documented 503 body of a webhook whose dedupe store is unavailable. */
export const STORE_UNAVAILABLE = 'Webhook deduplication store unavailable; Polar will retry this delivery';

/** Counts handler runs per webhook-id; `during` runs inside the handler (e.g. freezes Redis). */
@Injectable()
export class CountingHandler {
  runs: string[] = [];
  during: (() => void | Promise<void>) | undefined;

  @OnPolarEvent('customer.updated')
  async onUpdated(event: webhooks.WebhookCustomerUpdatedPayload): Promise<void> {
    this.runs.push(event.data.name ?? '');
    await this.during?.();
  }
}

/** An app as the README wires it: one CacheModule over `@keyv/redis`, reuse and dedupe on 'cache-manager'. */
export function createOutageApp(adapter: AdapterName, polar: PolarEmulator, redisUrl: string): Promise<PolarTestApp> {
  return polarTestApp()
    .on(adapter)
    .api(polar)
    .options({ timeoutMs: 3000, readRetries: 0 })
    .imports(CacheModule.register({ isGlobal: true, stores: [createKeyv(redisUrl)] }))
    .portal({
      respondWith: 'json',
      sessionReuse: { store: 'cache-manager' },
      customer: (req: { headers: Record<string, unknown> }) =>
        typeof req.headers['x-test-user'] === 'string' ? { externalCustomerId: req.headers['x-test-user'] } : null,
    })
    .webhooks({ secrets: TEST_WEBHOOK_SECRET, dedupe: { store: 'cache-manager' } })
    .providers(CountingHandler)
    .app({ rawBody: true })
    .start();
}

/** An answer and how long it took. */
export interface Timed {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

async function timed(send: () => PromiseLike<{ status: number; body: unknown }>): Promise<Timed> {
  const started = Date.now();
  const response = await send();
  return { status: response.status, body: response.body as Record<string, unknown>, ms: Date.now() - started };
}

export const openPortal = (app: PolarTestApp, user: string): Promise<Timed> =>
  timed(() => request(app.server).get(PORTAL).set('x-test-user', user).timeout(30_000));

/** Delivers a signed `customer.updated` with this webhook-id (the handler records `name`). */
export const deliver = (app: PolarTestApp, id: string, name = id): Promise<Timed> => {
  const body = eventBody('customer.updated', customerData({ name }));
  const headers = signWebhook(body, TEST_WEBHOOK_SECRET, { id });
  return timed(() => request(app.server).post(WEBHOOKS).set(headers).send(body).timeout(30_000));
};
