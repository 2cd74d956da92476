import {
  ConsoleLogger,
  type INestApplication,
  Inject,
  Injectable,
  Module,
  type ModuleMetadata,
  type NestApplicationOptions,
  type Provider,
  type Type,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { polarConfig } from '../../lib/config/index.js';
import type {
  PolarModuleOptions,
  PolarOptionsFactory,
  PolarRouteShapeOptions,
} from '../../lib/interfaces/polar-module-options.interface.js';
import type { PolarCheckoutOptions } from '../../lib/interfaces/polar-checkout-options.interface.js';
import type { PolarPortalOptions } from '../../lib/interfaces/polar-portal-options.interface.js';
import type { PolarWebhooksOptions } from '../../lib/interfaces/polar-webhooks-options.interface.js';
import { PolarModule } from '../../lib/polar.module.js';
import type { PolarEmulator } from '../../lib/testing/index.js';

/** The HTTP adapters every route suite runs on. */
export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];

/**
 * The ways of configuring PolarModule. `forRootAsync(useFactory + ConfigService)` reads the token
 * and base URL from the environment through `polarConfig`, as an app using `@nestjs/config` would.
 */
export type ModuleForm =
  'forRoot' | 'forRootAsync(useFactory)' | 'forRootAsync(useClass)' | 'forRootAsync(useFactory + ConfigService)';
/** The three forms a route suite runs through. */
export const FORMS: ModuleForm[] = ['forRoot', 'forRootAsync(useFactory)', 'forRootAsync(useClass)'];
/** Every adapter with every form, for describe.each. */
export const ADAPTER_FORMS: [AdapterName, ModuleForm][] = ADAPTERS.flatMap((adapter) =>
  FORMS.map((form): [AdapterName, ModuleForm] => [adapter, form]),
);

/** Keeps what the app logged (every level), so tests can assert failures are logged without secrets. */
export class CapturingLogger extends ConsoleLogger {
  readonly lines: { level: string; message: string }[] = [];
  constructor() {
    super();
    this.setLogLevels(['error', 'warn', 'log', 'debug']);
  }
  private keep(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push({ level, message: [message, ...rest].map(String).join(' ') });
  }
  override error(message: unknown, ...rest: unknown[]): void {
    this.keep('error', message, rest);
  }
  override warn(message: unknown, ...rest: unknown[]): void {
    this.keep('warn', message, rest);
  }
  override log(message: unknown, ...rest: unknown[]): void {
    this.keep('log', message, rest);
  }
  override debug(message: unknown, ...rest: unknown[]): void {
    this.keep('debug', message, rest);
  }
  /** The messages logged at `level`. */
  at(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
  errors(): string[] {
    return this.at('error');
  }
  /** Everything logged, one line each. */
  text(): string {
    return this.lines.map((line) => line.message).join('\n');
  }
}

/** A started test app. */
export interface PolarTestApp {
  app: INestApplication;
  logger: CapturingLogger;
  server: ReturnType<INestApplication['getHttpServer']>;
  /** The base URL once listening on 127.0.0.1 (`listen()`), else undefined. */
  url?: string;
}

const SETTINGS = Symbol('TEST_POLAR_SETTINGS');

@Injectable()
class OptionsFromSettings implements PolarOptionsFactory {
  constructor(@Inject(SETTINGS) private readonly settings: PolarModuleOptions) {}
  createPolarOptions(): PolarModuleOptions {
    return this.settings;
  }
}

/**
 * One fluent builder for every e2e app: adapter × module form × features (portal, webhooks, the
 * app's own providers). Modelled on nestjs/terminus `bootstrapTestingModule`.
 * @example const { server } = await polarTestApp().on('fastify').form('forRootAsync(useClass)').api(polar).start();
 */
export function polarTestApp(): PolarTestAppBuilder {
  return new PolarTestAppBuilder();
}

export class PolarTestAppBuilder {
  private adapter: AdapterName = 'express';
  private moduleForm: ModuleForm = 'forRoot';
  private moduleOptions: Partial<PolarModuleOptions> = {};
  private readonly routeDecorators: {
    portal: MethodDecorator[];
    webhooks: MethodDecorator[];
    checkout: MethodDecorator[];
  } = {
    portal: [],
    webhooks: [],
    checkout: [],
  };
  private readonly metadata: Required<Pick<ModuleMetadata, 'imports' | 'providers' | 'controllers'>> = {
    imports: [],
    providers: [],
    controllers: [],
  };
  private appOptions: NestApplicationOptions = {};
  private configureApp: ((app: INestApplication) => void) | undefined;

  on(adapter: AdapterName): this {
    this.adapter = adapter;
    return this;
  }

  form(form: ModuleForm): this {
    this.moduleForm = form;
    return this;
  }

  /** The Polar API the module talks to: the emulator, or any `{ accessToken, baseUrl }`. */
  api(api: PolarEmulator | { accessToken: string; baseUrl: string }): this {
    const baseUrl = 'url' in api ? api.url : api.baseUrl;
    return this.options({ accessToken: api.accessToken, baseUrl });
  }

  /** Module options, merged over what was given before. */
  options(options: Partial<PolarModuleOptions>): this {
    this.moduleOptions = { ...this.moduleOptions, ...options };
    return this;
  }

  /** The portal route's options (`false`: off), and decorators for its handler. */
  portal(portal: PolarPortalOptions | false | undefined, routeDecorators: MethodDecorator[] = []): this {
    this.routeDecorators.portal = routeDecorators;
    return this.options({ portal });
  }

  /** The webhook route's options, and decorators for its handler. */
  webhooks(webhooks: PolarWebhooksOptions | undefined, routeDecorators: MethodDecorator[] = []): this {
    this.routeDecorators.webhooks = routeDecorators;
    return this.options({ webhooks });
  }

  /** The checkout routes' options (off unless given), and decorators for their handlers. */
  checkout(checkout: PolarCheckoutOptions | undefined, routeDecorators: MethodDecorator[] = []): this {
    this.routeDecorators.checkout = routeDecorators;
    return this.options({ checkout });
  }

  imports(...imports: NonNullable<ModuleMetadata['imports']>): this {
    this.metadata.imports.push(...imports);
    return this;
  }

  providers(...providers: Provider[]): this {
    this.metadata.providers.push(...providers);
    return this;
  }

  controllers(...controllers: Type[]): this {
    this.metadata.controllers.push(...controllers);
    return this;
  }

  /** Nest application options (e.g. `{ rawBody: true }`); the logger is always the capturing one. */
  app(options: NestApplicationOptions): this {
    this.appOptions = { ...this.appOptions, ...options };
    return this;
  }

  /** Runs on the app before it starts (global prefix, versioning, …). */
  configure(configure: (app: INestApplication) => void): this {
    this.configureApp = configure;
    return this;
  }

  /** Builds and initialises the app (not listening: supertest drives its server). */
  async start(): Promise<PolarTestApp> {
    return this.build(false);
  }

  /** Builds the app and listens on 127.0.0.1:0, for clients that need a URL (the emulator's webhook sender). */
  async listen(): Promise<PolarTestApp & { url: string }> {
    return this.build(true) as Promise<PolarTestApp & { url: string }>;
  }

  private async build(listen: boolean): Promise<PolarTestApp> {
    const moduleRef = await Test.createTestingModule({
      imports: [...this.metadata.imports, this.polarModule()],
      providers: this.metadata.providers,
      controllers: this.metadata.controllers,
    }).compile();
    const logger = new CapturingLogger();
    const options = { ...this.appOptions, logger };
    const app =
      this.adapter === 'fastify'
        ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), options)
        : moduleRef.createNestApplication(options);
    this.configureApp?.(app);
    let url: string | undefined;
    if (listen) {
      await app.listen(0, '127.0.0.1');
      url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    } else {
      await app.init();
      // Fastify must also be ready() before supertest can use its server.
      if (this.adapter === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
    }
    return { app, logger, server: app.getHttpServer(), url };
  }

  private polarModule() {
    const options = this.moduleOptions as PolarModuleOptions;
    const { portal, webhooks, checkout } = options;
    const decorators = this.routeDecorators;
    // Routes are fixed when the module is defined: in forRoot's own options, or at the top level of forRootAsync.
    const shape: PolarRouteShapeOptions = {
      portal: portal === false ? false : { path: portal?.path, routeDecorators: decorators.portal },
      ...(webhooks ? { webhooks: { path: webhooks.path, routeDecorators: decorators.webhooks } } : {}),
      ...(checkout ? { checkout: { path: checkout.path, routeDecorators: decorators.checkout } } : {}),
    };
    switch (this.moduleForm) {
      case 'forRoot':
        return PolarModule.forRoot({
          ...options,
          portal: portal === false ? false : { ...portal, routeDecorators: decorators.portal },
          ...(webhooks ? { webhooks: { ...webhooks, routeDecorators: decorators.webhooks } } : {}),
          ...(checkout ? { checkout: { ...checkout, routeDecorators: decorators.checkout } } : {}),
        });
      case 'forRootAsync(useFactory)':
        return PolarModule.forRootAsync({ ...shape, useFactory: async () => options });
      case 'forRootAsync(useClass)': {
        @Module({ providers: [{ provide: SETTINGS, useValue: options }], exports: [SETTINGS] })
        class SettingsModule {}
        return PolarModule.forRootAsync({ ...shape, imports: [SettingsModule], useClass: OptionsFromSettings });
      }
      case 'forRootAsync(useFactory + ConfigService)': {
        const { accessToken, baseUrl, ...rest } = options;
        // polarConfig reads the environment when ConfigModule loads it, i.e. during this app's start-up.
        process.env.POLAR_ACCESS_TOKEN = accessToken;
        process.env.POLAR_BASE_URL = baseUrl;
        return PolarModule.forRootAsync({
          ...shape,
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [polarConfig] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService): PolarModuleOptions => ({
            ...config.getOrThrow<PolarModuleOptions>('polar'),
            ...rest,
          }),
        });
      }
    }
  }
}
