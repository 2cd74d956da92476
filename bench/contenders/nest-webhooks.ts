/**
 * This module's webhook route in a minimal Nest app: Express or Fastify (BENCH_ADAPTER), dedupe
 * in memory (the default) or through @nestjs/cache-manager on the bench's redis-server
 * (BENCH_REDIS_URL, wired as the README's Redis setup). One `'*'` handler records its runs per
 * webhook-id, so the orchestrator can check each delivery ran exactly once.
 */
import 'reflect-metadata';
import { type DynamicModule, Injectable, Module, type INestApplication } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createKeyv } from '@keyv/redis';
import { OnPolarEvent, PolarModule, type PolarWebhookDelivery } from '../../lib/index.js';
import { TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';
import { announceReady, serveIpc } from '../support/ipc.js';
import { BENCH_ACCESS_TOKEN } from '../support/fixtures.js';
import { DeliveryLedger } from '../support/webhook-ledger.js';

const adapter = process.env.BENCH_ADAPTER === 'fastify' ? 'fastify' : 'express';
const redisUrl = process.env.BENCH_REDIS_URL;

const ledger = new DeliveryLedger();

@Injectable()
class LedgerHandler {
  @OnPolarEvent('*')
  onEvent(_event: unknown, delivery: PolarWebhookDelivery): void {
    ledger.record(delivery.id);
  }
}

const cache: DynamicModule[] = redisUrl
  ? [CacheModule.register({ isGlobal: true, stores: [createKeyv(redisUrl)] })]
  : [];

@Module({
  imports: [
    ...cache,
    PolarModule.forRoot({
      accessToken: BENCH_ACCESS_TOKEN,
      baseUrl: process.env.BENCH_UPSTREAM_URL,
      portal: false,
      webhooks: { secrets: TEST_WEBHOOK_SECRET, dedupe: redisUrl ? { store: 'cache-manager' } : {} },
    }),
  ],
  providers: [LedgerHandler],
})
class BenchWebhooksModule {}

const options = { rawBody: true, logger: ['error', 'warn'] as ('error' | 'warn')[] };
const app: INestApplication =
  adapter === 'fastify'
    ? await NestFactory.create(BenchWebhooksModule, new FastifyAdapter(), options)
    : await NestFactory.create(BenchWebhooksModule, options);
await app.listen(0, '127.0.0.1');
serveIpc(ledger.ipcHandlers());
const address = app.getHttpServer().address();
announceReady(typeof address === 'object' && address ? address.port : 0);
