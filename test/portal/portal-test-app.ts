import {
  type CanActivate,
  ConsoleLogger,
  type ExecutionContext,
  type INestApplication,
  Injectable,
  type ModuleMetadata,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { PolarPortalOptions } from '../../lib/interfaces/polar-portal-options.interface.js';
import { PolarModule } from '../../lib/polar.module.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type AdapterName, createAppOn, initApp } from '../support/nest-app.js';

export { ADAPTERS, type AdapterName };

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

/** Keeps what the app logged, so tests can assert failures are logged without secrets. */
export class CapturingLogger extends ConsoleLogger {
  readonly lines: string[] = [];
  override error(message: unknown, ...rest: unknown[]): void {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
  override warn(message: unknown, ...rest: unknown[]): void {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
  override log(): void {}
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
}

export interface PortalApp {
  app: INestApplication;
  logger: CapturingLogger;
  server: ReturnType<INestApplication['getHttpServer']>;
}

/** A Nest app importing PolarModule against the emulator, on the chosen adapter. */
export async function createPortalApp(options: PortalAppOptions): Promise<PortalApp> {
  const { polar, portal, timeoutMs = 2000, session = true } = options;
  const moduleOptions = {
    accessToken: polar.accessToken,
    baseUrl: polar.url,
    timeoutMs,
    readRetries: 0,
    portal,
  };
  const polarModule = options.async
    ? PolarModule.forRootAsync({
        portal: portal === false ? false : { path: portal?.path },
        useFactory: async () => ({ ...moduleOptions }),
      })
    : PolarModule.forRoot(moduleOptions);

  const moduleRef = await Test.createTestingModule({
    imports: [polarModule],
    providers: [...(session ? [{ provide: APP_GUARD, useClass: TestSessionGuard }] : []), ...(options.providers ?? [])],
  }).compile();

  const logger = new CapturingLogger();
  const app = createAppOn(moduleRef, options.adapter, { logger });
  await initApp(app, options.adapter);
  return { app, logger, server: app.getHttpServer() };
}
