import { createHook } from 'node:async_hooks';
import { type CanActivate, Injectable } from '@nestjs/common';
import { NEVER, type Observable } from 'rxjs';
import request from 'supertest';
import type { PolarPortalCustomer } from '../../lib/interfaces/polar-customer-resolver.interface.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type PolarTestApp, polarTestApp } from '../support/polar-app.js';
import { SLACK_MS } from './outage-app.js';

const CUSTOMER_TIMEOUT_MS = 400;

/** Never settles when asked to (`x-guard: hang` a promise, `x-guard: never` an Observable that never emits). */
@Injectable()
class StuckGuard implements CanActivate {
  canActivate(context: Parameters<CanActivate['canActivate']>[0]): boolean | Promise<boolean> | Observable<boolean> {
    const mode = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-guard'];
    if (mode === 'hang') return new Promise<boolean>(() => undefined);
    if (mode === 'never') return NEVER;
    return true;
  }
}

/** Never settles for `x-user: hang`; else the user as the external customer id. */
function resolver(request: {
  headers: Record<string, unknown>;
}): Promise<PolarPortalCustomer | null> | PolarPortalCustomer {
  const user = request.headers['x-user'];
  if (user === 'hang') return new Promise(() => undefined);
  return { externalCustomerId: String(user) };
}

describe.each(ADAPTERS)('a resolver or app guard that never settles, over %s', (adapter) => {
  let polar: PolarEmulator;
  let app: PolarTestApp;

  beforeAll(async () => {
    polar = await PolarEmulator.start({ rateLimit: false });
    polar.seedCustomer({ external_id: 'ann', email: 'ann@example.com' });
    app = await polarTestApp()
      .on(adapter)
      .api(polar)
      .options({ timeoutMs: 3000, readRetries: 0, customerTimeoutMs: CUSTOMER_TIMEOUT_MS, customer: resolver })
      .portal({ respondWith: 'json', guards: [StuckGuard] })
      .start();
  });
  afterAll(async () => {
    await app?.app.close();
    await polar?.stop();
  });

  const open = async (headers: Record<string, string>) => {
    const started = Date.now();
    const response = await request(app.server).get('/billing/portal').set(headers).timeout(20_000);
    return { response, ms: Date.now() - started };
  };

  it.each<[string, Record<string, string>, RegExp]>([
    ['the resolver', { 'x-user': 'hang' }, /customer resolver did not answer within 400 ms \(customerTimeoutMs\)/],
    [
      'a guard (promise)',
      { 'x-user': 'ann', 'x-guard': 'hang' },
      /portal guard StuckGuard did not answer within 400 ms/,
    ],
    ['a guard (Observable)', { 'x-user': 'ann', 'x-guard': 'never' }, /portal guard StuckGuard did not answer/],
  ])(
    '%s → 503 polar_portal_resolver_timeout after customerTimeoutMs, nothing sent to Polar',
    async (_, headers, message) => {
      const before = polar.requests.length;
      const { response, ms } = await open(headers);
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ statusCode: 503, code: 'polar_portal_resolver_timeout' });
      expect(response.body.message).toMatch(message);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(ms).toBeGreaterThanOrEqual(CUSTOMER_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(CUSTOMER_TIMEOUT_MS + SLACK_MS);
      expect(polar.requests.length).toBe(before);
      expect(app.logger.errors().join('\n')).toMatch(message);
    },
  );

  it('leaves no timer behind: a deadline is cleared with its answer, hung or not', async () => {
    // Every timer of customerTimeoutMs created and not yet cleared or fired (unref'd ones included).
    const armed = new Set<number>();
    const hook = createHook({
      init(id, type, _trigger, resource) {
        if (type === 'Timeout' && (resource as { _idleTimeout?: number })._idleTimeout === CUSTOMER_TIMEOUT_MS) {
          armed.add(id);
        }
      },
      destroy: (id) => armed.delete(id),
    }).enable();
    const timers = () => armed.size;
    try {
      await open({ 'x-user': 'ann' });
      // Past customerTimeoutMs: a deadline timer the warm-up left armed would have fired by now.
      await new Promise((resolve) => setTimeout(resolve, CUSTOMER_TIMEOUT_MS + 100));
      const before = timers();
      const answers = await Promise.all([
        open({ 'x-user': 'hang' }),
        open({ 'x-user': 'ann', 'x-guard': 'hang' }),
        open({ 'x-user': 'ann', 'x-guard': 'never' }),
      ]);
      expect(answers.map(({ response }) => response.status)).toEqual([503, 503, 503]);
      // Answered well within customerTimeoutMs: the resolver's and the guard's deadlines must be gone already.
      const { response, ms } = await open({ 'x-user': 'ann' });
      expect(response.status).toBe(200);
      expect(ms).toBeLessThan(CUSTOMER_TIMEOUT_MS);
      expect(before).toBe(0);
      expect(timers()).toBe(0);
    } finally {
      hook.disable();
    }
  });

  it('the process stays up: the next request is answered normally', async () => {
    await Promise.all([open({ 'x-user': 'hang' }), open({ 'x-user': 'ann', 'x-guard': 'hang' })]);
    const { response } = await open({ 'x-user': 'ann' });
    expect(response.status).toBe(200);
    expect(response.body.url).toEqual(expect.any(String));
  });
});
