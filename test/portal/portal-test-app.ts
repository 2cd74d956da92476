import { type CanActivate, type ExecutionContext, Injectable, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { PolarCustomerResolverOption } from '../../lib/interfaces/polar-customer-resolver.interface.js';
import type { PolarPortalOptions } from '../../lib/interfaces/polar-portal-options.interface.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type AdapterName, CapturingLogger, type PolarTestApp, polarTestApp } from '../support/polar-app.js';

export { ADAPTERS, type AdapterName, CapturingLogger };

/** The app's users; the test "session" is `Authorization: Session <key>`. */
export const USERS = {
  alice: { id: 'user-alice', email: 'alice@mailinator.com', name: 'Alice' },
  numeric: { id: 42, email: 'answer@mailinator.com' },
  noEmail: { id: 'user-no-email' },
  noId: { email: 'ghost@mailinator.com' },
} as const;
export type UserKey = keyof typeof USERS;

/** `Authorization` header of a signed-in test user. */
export const as = (user: UserKey): Record<string, string> => ({ authorization: `Session ${user}` });

function userFrom(request: { headers: Record<string, unknown> }): unknown {
  const match = /^Session (\w+)$/.exec(String(request.headers.authorization ?? ''));
  return match ? USERS[match[1] as UserKey] : undefined;
}

/** Stands in for the app's session middleware: sets `request.user`, never blocks. */
@Injectable()
export class TestSessionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown>; user?: unknown }>();
    request.user = userFrom(request);
    return true;
  }
}

export interface PortalAppOptions {
  adapter: AdapterName;
  polar: PolarEmulator;
  portal?: PolarPortalOptions | false;
  /** Module request timeout. @default 2000 */
  timeoutMs?: number;
  /** Install `TestSessionGuard` globally (sets request.user from the header). @default true */
  session?: boolean;
  providers?: ModuleMetadata['providers'];
  /** Use forRootAsync(useFactory) instead of forRoot. @default false */
  async?: boolean;
  /** The module-level customer resolver. */
  customer?: PolarCustomerResolverOption;
}

export type PortalApp = PolarTestApp;

/** A Nest app importing PolarModule against the emulator, on the chosen adapter. */
export async function createPortalApp(options: PortalAppOptions): Promise<PortalApp> {
  const { polar, portal, timeoutMs = 2000, session = true } = options;
  return polarTestApp()
    .on(options.adapter)
    .form(options.async ? 'forRootAsync(useFactory)' : 'forRoot')
    .api(polar)
    .options({ timeoutMs, readRetries: 0, ...(options.customer ? { customer: options.customer } : {}) })
    .portal(portal)
    .providers(...(session ? [{ provide: APP_GUARD, useClass: TestSessionGuard }] : []), ...(options.providers ?? []))
    .start();
}
