/**
 * One app instance of `npm run bench:chaos`, wired as the README's multi-instance setup: one
 * CacheModule over `createKeyv(url)`, the portal with `sessionReuse: { store: 'cache-manager' }`
 * and the webhook route with `dedupe: { store: 'cache-manager' }`. The handler counts its runs per
 * delivery (the orchestrator names each `customer.updated` after its webhook-id) and the counts are
 * read over IPC (`runs`). The customer comes from a header — bench only: a real app reads what its
 * own auth guard put on the request.
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import { NestFactory } from '@nestjs/core';
import { createKeyv } from '@keyv/redis';
import type { webhooks } from '@polar-sh/sdk/2026-10';
import { OnPolarEvent, type PolarCustomerResolverFn, PolarModule } from '../../lib/index.js';
import { TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';
import { announceReady, serveIpc } from '../support/ipc.js';
import { BENCH_CUSTOMER_HEADER } from '../support/fixtures.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

@Injectable()
class RunCounter {
  readonly runs = new Map<string, number>();

  @OnPolarEvent('customer.updated')
  onUpdated(event: webhooks.WebhookCustomerUpdatedPayload): void {
    const id = event.data.name ?? '';
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
  }
}

const customer: PolarCustomerResolverFn = (request: { headers: Record<string, string | string[] | undefined> }) => {
  const id = request.headers[BENCH_CUSTOMER_HEADER];
  return typeof id === 'string' ? { customer_id: id } : null;
};

@Module({
  imports: [
    CacheModule.register({ isGlobal: true, stores: [createKeyv(required('CHAOS_REDIS_URL'))] }),
    PolarModule.forRoot({
      accessToken: required('CHAOS_POLAR_TOKEN'),
      baseUrl: required('CHAOS_POLAR_URL'),
      customer,
      portal: { sessionReuse: { store: 'cache-manager' } },
      webhooks: { secrets: TEST_WEBHOOK_SECRET, dedupe: { store: 'cache-manager' } },
    }),
  ],
  providers: [RunCounter],
})
class ChaosAppModule {}

const app = await NestFactory.create(ChaosAppModule, { rawBody: true, logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
const counter = app.get(RunCounter);
serveIpc({ runs: () => Object.fromEntries(counter.runs) });
const address = app.getHttpServer().address();
announceReady(typeof address === 'object' && address ? address.port : 0);
