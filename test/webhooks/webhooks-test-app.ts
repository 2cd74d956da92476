import { ConsoleLogger, type INestApplication, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { PolarWebhooksOptions } from '../../lib/interfaces/polar-webhooks-options.interface.js';
import { POLAR_RESOLVED_OPTIONS } from '../../lib/polar.constants.js';
import { webhooksRouteParts } from '../../lib/webhooks/webhooks.route.js';

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

/** Keeps what the app logged, so tests can assert that failures are logged (and secrets are not). */
export class CapturingLogger extends ConsoleLogger {
  readonly lines: { level: string; message: string }[] = [];
  constructor() {
    super();
    this.setLogLevels(['error', 'warn', 'log', 'debug']);
  }
  override error(message: unknown, ...rest: unknown[]): void {
    this.lines.push({ level: 'error', message: [message, ...rest].map(String).join(' ') });
  }
  override warn(message: unknown, ...rest: unknown[]): void {
    this.lines.push({ level: 'warn', message: [message, ...rest].map(String).join(' ') });
  }
  override log(message: unknown, ...rest: unknown[]): void {
    this.lines.push({ level: 'log', message: [message, ...rest].map(String).join(' ') });
  }
  override debug(message: unknown, ...rest: unknown[]): void {
    this.lines.push({ level: 'debug', message: [message, ...rest].map(String).join(' ') });
  }
  errors(): string[] {
    return this.lines.filter((line) => line.level === 'error').map((line) => line.message);
  }
}

export interface WebhookAppOptions {
  adapter: AdapterName;
  webhooks: PolarWebhooksOptions;
  /** Providers of the test app (the handler classes, APP_GUARDs). */
  providers?: Provider[];
  imports?: ModuleMetadata['imports'];
  /** Nest's `rawBody` application option. @default true */
  rawBody?: boolean;
  routeDecorators?: MethodDecorator[];
}

export interface WebhookApp {
  app: INestApplication;
  logger: CapturingLogger;
  /** The route's full URL once listening (for the emulator), else undefined. */
  url?: string;
}

/** A Nest app with the webhook room mounted the way PolarModule mounts it. */
export async function createWebhookApp(options: WebhookAppOptions, listen = false): Promise<WebhookApp> {
  const path = options.webhooks.path ?? 'billing/webhooks';
  const parts = webhooksRouteParts(path, { routeDecorators: options.routeDecorators });

  @Module({
    controllers: parts.controllers,
    providers: [...parts.providers, { provide: POLAR_RESOLVED_OPTIONS, useValue: { webhooks: options.webhooks } }],
  })
  class WebhooksHostModule {}

  const moduleRef = await Test.createTestingModule({
    imports: [...(options.imports ?? []), WebhooksHostModule],
    providers: options.providers ?? [],
  }).compile();
  const rawBody = options.rawBody ?? true;
  const logger = new CapturingLogger();
  const app =
    options.adapter === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { rawBody, logger })
      : moduleRef.createNestApplication({ rawBody, logger });
  if (listen) {
    await app.listen(0, '127.0.0.1');
  } else {
    await app.init();
    if (options.adapter === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  }
  const address = listen ? (app.getHttpServer().address() as { port: number }) : undefined;
  return { app, logger, url: address ? `http://127.0.0.1:${address.port}/${path}` : undefined };
}
