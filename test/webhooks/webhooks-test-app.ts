import { ConsoleLogger, type INestApplication, type ModuleMetadata, type Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { PolarModuleOptions, PolarOptionsFactory } from '../../lib/interfaces/polar-module-options.interface.js';
import type { PolarWebhooksOptions } from '../../lib/interfaces/polar-webhooks-options.interface.js';
import { PolarModule } from '../../lib/polar.module.js';
import { ADAPTERS, type AdapterName, createAppOn, initApp } from '../support/nest-app.js';

export { ADAPTERS, type AdapterName };

/** How the webhook route is mounted: through PolarModule in each of its forms. */
export type MountForm = 'forRoot' | 'forRootAsync(useFactory)' | 'forRootAsync(useClass)';
export const MODULE_FORMS: MountForm[] = ['forRoot', 'forRootAsync(useFactory)', 'forRootAsync(useClass)'];
/** Every adapter with every PolarModule form, for describe.each. */
export const ADAPTER_FORMS: [AdapterName, MountForm][] = ADAPTERS.flatMap((adapter) =>
  MODULE_FORMS.map((form): [AdapterName, MountForm] => [adapter, form]),
);

/** Polar API access for the module; nothing in the webhook suites calls it unless they say so. */
export interface PolarAccess {
  accessToken: string;
  baseUrl: string;
}
const UNUSED_API: PolarAccess = {
  accessToken: 'polar_oat_webhooks_suite_never_calls_the_api',
  baseUrl: 'http://127.0.0.1:9',
};

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
  /** @default 'forRoot' */
  form?: MountForm;
  /** @default an address nothing listens on */
  api?: PolarAccess;
  /** Runs on the app before it starts (global prefix, versioning, …). */
  configure?: (app: INestApplication) => void;
}

export interface WebhookApp {
  app: INestApplication;
  logger: CapturingLogger;
  /** The route's full URL once listening (for the emulator), else undefined. */
  url?: string;
}

function mount(options: WebhookAppOptions) {
  const form = options.form ?? 'forRoot';
  const moduleOptions: PolarModuleOptions = {
    ...(options.api ?? UNUSED_API),
    portal: false,
    webhooks: options.webhooks,
  };
  // Decorators are part of the route, fixed when the module is defined: in forRoot's webhooks, or
  // at the top level of forRootAsync.
  const routeShape = { path: options.webhooks.path, routeDecorators: options.routeDecorators };
  if (form === 'forRoot') {
    return PolarModule.forRoot({
      ...moduleOptions,
      webhooks: { ...options.webhooks, routeDecorators: options.routeDecorators },
    });
  }
  if (form === 'forRootAsync(useFactory)') {
    return PolarModule.forRootAsync({ portal: false, webhooks: routeShape, useFactory: async () => moduleOptions });
  }
  class WebhookOptionsFactory implements PolarOptionsFactory {
    createPolarOptions(): PolarModuleOptions {
      return moduleOptions;
    }
  }
  return PolarModule.forRootAsync({ portal: false, webhooks: routeShape, useClass: WebhookOptionsFactory });
}

/** A Nest app with the webhook route mounted (by default through PolarModule.forRoot). */
export async function createWebhookApp(options: WebhookAppOptions, listen = false): Promise<WebhookApp> {
  const path = options.webhooks.path ?? 'billing/webhooks';
  const moduleRef = await Test.createTestingModule({
    imports: [...(options.imports ?? []), mount(options)],
    providers: options.providers ?? [],
  }).compile();
  const rawBody = options.rawBody ?? true;
  const logger = new CapturingLogger();
  const app = createAppOn(moduleRef, options.adapter, { rawBody, logger });
  options.configure?.(app);
  if (listen) {
    await app.listen(0, '127.0.0.1');
  } else {
    await initApp(app, options.adapter);
  }
  const address = listen ? (app.getHttpServer().address() as { port: number }) : undefined;
  return { app, logger, url: address ? `http://127.0.0.1:${address.port}/${path}` : undefined };
}
