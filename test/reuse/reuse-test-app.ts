import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { PolarPortalCustomer } from '../../lib/interfaces/polar-customer-resolver.interface.js';
import type { PolarPortalOptions } from '../../lib/interfaces/polar-portal-options.interface.js';
import type { PolarWebhooksOptions } from '../../lib/interfaces/polar-webhooks-options.interface.js';
import { PolarModule } from '../../lib/polar.module.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { CapturingLogger } from '../portal/portal-test-app.js';
import { ADAPTERS, type AdapterName, createAppOn, initApp } from '../support/nest-app.js';

export { ADAPTERS, type AdapterName };

/**
 * Test-only sign-in: `x-test-user` is the app's user id (the customer's external id), optional
 * `x-test-member` the team member's external id. A real app reads what its auth put on the request.
 */
export const signedIn = (userId: string, member?: string): Record<string, string> => ({
  'x-test-user': userId,
  ...(member ? { 'x-test-member': member } : {}),
});

function testResolver(request: { headers: Record<string, unknown> }): PolarPortalCustomer | null {
  const user = request.headers['x-test-user'];
  if (typeof user !== 'string') return null;
  const member = request.headers['x-test-member'];
  if (user.startsWith('polar:')) {
    return {
      customerId: user.slice('polar:'.length),
      ...(typeof member === 'string' ? { externalMemberId: member } : {}),
    };
  }
  return { externalCustomerId: user, ...(typeof member === 'string' ? { externalMemberId: member } : {}) };
}

export interface ReuseAppOptions {
  adapter: AdapterName;
  polar: PolarEmulator;
  /** `portal.sessionReuse`. */
  sessionReuse?: PolarPortalOptions['sessionReuse'];
  imports?: ModuleMetadata['imports'];
  /** Extra portal options. */
  portal?: Omit<PolarPortalOptions, 'sessionReuse' | 'customer'>;
  /** Configure through forRootAsync(useFactory) instead of forRoot. @default false */
  async?: boolean;
  /** The webhook route (the app is then created with raw body support). */
  webhooks?: PolarWebhooksOptions;
}

export interface ReuseApp {
  app: INestApplication;
  logger: CapturingLogger;
  server: ReturnType<INestApplication['getHttpServer']>;
}

/** A Nest app with PolarModule against the emulator, the portal resolving the test user. */
export async function createReuseApp(options: ReuseAppOptions): Promise<ReuseApp> {
  const { polar, adapter } = options;
  const moduleOptions = {
    accessToken: polar.accessToken,
    baseUrl: polar.url,
    timeoutMs: 3000,
    readRetries: 0,
    portal: {
      respondWith: 'json' as const,
      ...options.portal,
      customer: testResolver,
      ...(options.sessionReuse !== undefined ? { sessionReuse: options.sessionReuse } : {}),
    },
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  };
  const polarModule = options.async
    ? PolarModule.forRootAsync({
        useFactory: async () => moduleOptions,
        ...(options.webhooks ? { webhooks: { path: options.webhooks.path } } : {}),
      })
    : PolarModule.forRoot(moduleOptions);
  const moduleRef = await Test.createTestingModule({
    imports: [...(options.imports ?? []), polarModule],
  }).compile();
  const logger = new CapturingLogger();
  const app = createAppOn(moduleRef, adapter, { logger, rawBody: true });
  await initApp(app, adapter);
  return { app, logger, server: app.getHttpServer() };
}
