import { CacheModule } from '@nestjs/cache-manager';
import { Controller, Get, type ModuleMetadata } from '@nestjs/common';
import { createKeyv } from '@keyv/redis';
import request from 'supertest';
import type { PolarEntitlementsOptions } from '../../lib/interfaces/polar-entitlements-options.interface.js';
import { RequiresBenefit, RequiresSubscription } from '../../lib/index.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';
import { type AdapterName, type PolarTestApp, polarTestApp } from '../support/polar-app.js';

/** The request header the test resolver trusts as the signed-in user's Polar customer id (tests only). */
export const USER_HEADER = 'x-test-customer';
/** The header the test resolver trusts as the signed-in user's member id in a team customer (tests only). */
export const MEMBER_HEADER = 'x-test-member';

/** The app's gated routes, as an app would write them. */
@Controller('app')
export class GatedController {
  @Get('open')
  open() {
    return { ok: 'open' };
  }

  @Get('pro')
  @RequiresSubscription({ plans: ['pro'] })
  pro() {
    return { ok: 'pro' };
  }

  @Get('paid-only')
  @RequiresSubscription({ plans: ['pro'], allowTrial: false })
  paidOnly() {
    return { ok: 'paid-only' };
  }

  @Get('lenient')
  @RequiresSubscription({ plans: ['pro'], allowPastDue: true })
  lenient() {
    return { ok: 'lenient' };
  }

  @Get('strict')
  @RequiresSubscription({ plans: ['pro'], onPolarDown: 'deny' })
  strict() {
    return { ok: 'strict' };
  }

  @Get('feature')
  @RequiresBenefit('pro-features')
  feature() {
    return { ok: 'feature' };
  }
}

export interface EntitlementsAppOptions {
  adapter: AdapterName;
  polar: PolarEmulator;
  productIds: string[];
  benefitId: string;
  entitlements?: PolarEntitlementsOptions;
  imports?: ModuleMetadata['imports'];
  /** Whether the emulator delivers webhooks to this instance. @default true */
  webhooks?: boolean;
}

/** A listening app with the gated routes, the webhook route, and the emulator delivering to it. */
export async function startEntitlementsApp(
  options: EntitlementsAppOptions,
): Promise<PolarTestApp & { url: string; stop: () => Promise<void> }> {
  const started = await polarTestApp()
    .on(options.adapter)
    .api(options.polar)
    .options({
      customer: (req: { headers: Record<string, unknown> }) => {
        const id = req.headers[USER_HEADER];
        const member = req.headers[MEMBER_HEADER];
        if (typeof id !== 'string') return null;
        return typeof member === 'string' ? { customer_id: id, member_id: member } : { customer_id: id };
      },
      plans: { pro: { products: options.productIds } },
      entitlements: { benefits: { 'pro-features': options.benefitId }, ...options.entitlements },
    })
    .webhooks({ secrets: TEST_WEBHOOK_SECRET })
    .imports(...(options.imports ?? []))
    .controllers(GatedController)
    .app({ rawBody: true })
    .listen();
  const stopWebhooks =
    options.webhooks === false
      ? () => undefined
      : options.polar.sendWebhooks({
          url: `${started.url}/billing/webhooks`,
          secret: TEST_WEBHOOK_SECRET,
          retryDelayMs: 20,
        });
  return {
    ...started,
    stop: async () => {
      stopWebhooks();
      await started.app.close();
    },
  };
}

type EntitlementsApp = Awaited<ReturnType<typeof startEntitlementsApp>>;

/**
 * Two instances of the app sharing their entitlement cache through cache-manager on the Redis at `redisUrl`.
 * Only `a` hears webhooks: `b` learns everything through Redis. `stop()` stops both.
 */
export async function startSharedPair(
  options: Omit<EntitlementsAppOptions, 'entitlements' | 'imports' | 'webhooks'>,
  redisUrl: string,
): Promise<{ a: EntitlementsApp; b: EntitlementsApp; stop: () => Promise<void> }> {
  const shared = { ...options, entitlements: { store: 'cache-manager' as const } };
  const redis = () => [CacheModule.register({ stores: [createKeyv(redisUrl)] })];
  const a = await startEntitlementsApp({ ...shared, imports: redis() });
  const b = await startEntitlementsApp({ ...shared, webhooks: false, imports: redis() }).catch(async (error) => {
    await a.stop();
    throw error;
  });
  return {
    a,
    b,
    stop: async () => {
      await a.stop();
      await b.stop();
    },
  };
}

/** GET one gated route as a signed-in customer (JSON client), or as a member of a team customer. */
export function visit(
  app: PolarTestApp,
  path: string,
  customerId?: string,
  accept = 'application/json',
  memberId?: string,
) {
  const req = request(app.server).get(path).set('accept', accept);
  const signedIn = customerId ? req.set(USER_HEADER, customerId) : req;
  return memberId ? signedIn.set(MEMBER_HEADER, memberId) : signedIn;
}

/** The customer-state reads the emulator served (`GET …/state`). */
export function stateCalls(polar: PolarEmulator): number {
  return polar.requests.filter((r) => r.method === 'GET' && /\/v1\/customers\/.*state$/.test(r.path)).length;
}

/** Retries an assertion for up to 3 s (webhook deliveries and their refetch are asynchronous). */
export async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Polls until the route answers `status`; returns how long that took (fails after 5 s). */
export async function msUntil(call: () => PromiseLike<{ status: number }>, status: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await call()).status === status) return Date.now() - started;
    if (Date.now() - started > 5000) throw new Error(`no ${status} within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
