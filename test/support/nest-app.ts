import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';

/** The HTTP adapters every route suite runs on. */
export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

/** A Nest app on the chosen adapter, not initialised yet (so a suite can configure it first). */
export function createAppOn(
  moduleRef: TestingModule,
  adapter: AdapterName,
  options: NestApplicationOptions = {},
): INestApplication {
  return adapter === 'fastify'
    ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), options)
    : moduleRef.createNestApplication(options);
}

/** Initialises the app; Fastify must also be `ready()` before supertest can use its server. */
export async function initApp(app: INestApplication, adapter: AdapterName): Promise<void> {
  await app.init();
  if (adapter === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
}
