/**
 * This module's portal route in a minimal Nest app: Express or Fastify (BENCH_ADAPTER), session
 * reuse on or off (BENCH_REUSE). The customer comes from a header the bench resolver trusts —
 * bench only: a real app reads what its own auth guard put on the request.
 */
import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { type PolarCustomerResolverFn, PolarModule, type PolarPortalOptions } from '../../lib/index.js';
import { announceReady, serveIpc } from '../support/ipc.js';
import { BENCH_ACCESS_TOKEN, BENCH_CUSTOMER_HEADER } from '../support/fixtures.js';

const adapter = process.env.BENCH_ADAPTER === 'fastify' ? 'fastify' : 'express';
const reuse = process.env.BENCH_REUSE === '1';

const customer: PolarCustomerResolverFn = (request: { headers: Record<string, string | string[] | undefined> }) => {
  const id = request.headers[BENCH_CUSTOMER_HEADER];
  return typeof id === 'string' ? { customer_id: id } : null;
};
const portal: PolarPortalOptions = reuse ? { sessionReuse: true } : {};

@Module({
  imports: [
    PolarModule.forRoot({ accessToken: BENCH_ACCESS_TOKEN, baseUrl: process.env.BENCH_UPSTREAM_URL, customer, portal }),
  ],
})
class BenchAppModule {}

const app: INestApplication =
  adapter === 'fastify'
    ? await NestFactory.create(BenchAppModule, new FastifyAdapter(), { logger: ['error', 'warn'] })
    : await NestFactory.create(BenchAppModule, { logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
serveIpc({});
const address = app.getHttpServer().address();
announceReady(typeof address === 'object' && address ? address.port : 0);
