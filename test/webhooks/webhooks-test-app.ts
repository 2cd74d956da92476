import type { INestApplication, ModuleMetadata, Provider } from '@nestjs/common';
import type { PolarWebhooksOptions } from '../../lib/interfaces/polar-webhooks-options.interface.js';
import {
  ADAPTER_FORMS,
  ADAPTERS,
  type AdapterName,
  CapturingLogger,
  FORMS,
  type ModuleForm,
  type PolarTestApp,
  polarTestApp,
} from '../support/polar-app.js';

export { ADAPTER_FORMS, ADAPTERS, type AdapterName, CapturingLogger, FORMS as MODULE_FORMS };
export type MountForm = ModuleForm;

/** Polar API access for the module; nothing in the webhook suites calls it unless they say so. */
export interface PolarAccess {
  accessToken: string;
  baseUrl: string;
}
const UNUSED_API: PolarAccess = {
  accessToken: 'polar_oat_webhooks_suite_never_calls_the_api',
  baseUrl: 'http://127.0.0.1:9',
};

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

export type WebhookApp = PolarTestApp;

/** A Nest app with the webhook route mounted (by default through PolarModule.forRoot), the portal off. */
export async function createWebhookApp(options: WebhookAppOptions, listen = false): Promise<WebhookApp> {
  const builder = polarTestApp()
    .on(options.adapter)
    .form(options.form ?? 'forRoot')
    .api(options.api ?? UNUSED_API)
    .portal(false)
    .webhooks(options.webhooks, options.routeDecorators)
    .imports(...(options.imports ?? []))
    .providers(...(options.providers ?? []))
    .app({ rawBody: options.rawBody ?? true });
  if (options.configure) builder.configure(options.configure);
  if (!listen) return builder.start();
  const started = await builder.listen();
  return { ...started, url: `${started.url}/${options.webhooks.path ?? 'billing/webhooks'}` };
}
