import type { ModuleMetadata } from '@nestjs/common';
import type { PolarPortalCustomer } from '../../lib/interfaces/polar-customer-resolver.interface.js';
import type { PolarPortalOptions } from '../../lib/interfaces/polar-portal-options.interface.js';
import type { PolarWebhooksOptions } from '../../lib/interfaces/polar-webhooks-options.interface.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type AdapterName, type PolarTestApp, polarTestApp } from '../support/polar-app.js';

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

export type ReuseApp = PolarTestApp;

/** A Nest app with PolarModule against the emulator, the portal resolving the test user. */
export async function createReuseApp(options: ReuseAppOptions): Promise<ReuseApp> {
  return polarTestApp()
    .on(options.adapter)
    .form(options.async ? 'forRootAsync(useFactory)' : 'forRoot')
    .api(options.polar)
    .options({ timeoutMs: 3000, readRetries: 0 })
    .portal({
      respondWith: 'json',
      ...options.portal,
      customer: testResolver,
      ...(options.sessionReuse !== undefined ? { sessionReuse: options.sessionReuse } : {}),
    })
    .webhooks(options.webhooks)
    .imports(...(options.imports ?? []))
    .app({ rawBody: true })
    .start();
}
