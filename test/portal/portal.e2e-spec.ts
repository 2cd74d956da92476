import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import request from 'supertest';
import type {
  PolarCustomerResolver,
  PolarPortalCustomer,
} from '../../lib/interfaces/polar-customer-resolver.interface.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, as, createPortalApp, type PortalApp, USERS } from './portal-test-app.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let polar: PolarEmulator;
let current: PortalApp | undefined;

beforeAll(async () => {
  polar = await PolarEmulator.start();
});
afterAll(async () => {
  await polar.stop();
});
beforeEach(() => {
  polar.reset();
});
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const sessionRequests = () => polar.requests.filter((r) => r.path === '/v1/customer-sessions/');

function expectNotStored(response: request.Response): void {
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
}

/** A user directory the app owns; injected into the class resolver to prove DI works. */
@Injectable()
class UserDirectory {
  polarIdOf(userId: string): string | undefined {
    return polar.customers.find((customer) => customer.external_id === userId)?.id;
  }
}

/** Registered in the app: resolves by Polar's own customer id through an injected service. */
@Injectable()
class DirectoryResolver implements PolarCustomerResolver {
  constructor(private readonly directory: UserDirectory) {}
  resolve(req: { user?: { id: string } }): PolarPortalCustomer | null {
    const customerId = req.user ? this.directory.polarIdOf(req.user.id) : undefined;
    return customerId ? { customerId } : null;
  }
}

/** Not registered anywhere: PolarModule instantiates it. */
class StandaloneResolver implements PolarCustomerResolver {
  async resolve(req: { user?: { id: string } }): Promise<PolarPortalCustomer | null> {
    return req.user ? { externalCustomerId: `${req.user.id}` } : null;
  }
}

/** The app's own auth guard, attached through `portal.guards` (no global session guard). */
@Injectable()
class BearerAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
    if (req.headers.authorization !== 'Bearer alice-token') {
      throw new UnauthorizedException('BearerAuthGuard: a bearer token is required');
    }
    req.user = USERS.alice;
    return true;
  }
}

describe.each(ADAPTERS)('GET /billing/portal on %s', (adapter) => {
  describe('with the default request.user resolver', () => {
    beforeEach(async () => {
      current = await createPortalApp({ adapter, polar });
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
    });

    it('answers 401 without a signed-in user and sends nothing to Polar', async () => {
      const response = await request(current!.server).get('/billing/portal').expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, code: 'polar_portal_unauthenticated' });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.body.message).toMatch(/sign in/i);
      expect(polar.requests).toEqual([]);
    });

    it('redirects a browser to the portal with 303, not stored and without referrer', async () => {
      const response = await request(current!.server)
        .get('/billing/portal')
        .set(as('alice'))
        .set('accept', BROWSER_ACCEPT);
      expect(response.status).toBe(303);
      expect(response.headers.location).toMatch(
        new RegExp(
          `^${polar.url}/emulator-org/portal\\?customer_session_token=polar_cst_[A-Za-z0-9]{43}&email=alice%40mailinator\\.com$`,
        ),
      );
      expectNotStored(response);
      expect(sessionRequests()).toHaveLength(1);
      expect(sessionRequests()[0]!.body).toEqual({ external_customer_id: 'user-alice' });
    });

    it('redirects when the client sends no Accept or */*', async () => {
      await request(current!.server).get('/billing/portal').set(as('alice')).set('accept', '*/*').expect(303);
    });

    it('the redirect leads to a working portal page', async () => {
      const response = await request(current!.server).get('/billing/portal').set(as('alice')).expect(303);
      const page = await fetch(response.headers.location!);
      expect(page.status).toBe(200);
    });

    it('answers JSON { url, expires_at } to Accept: application/json, not stored', async () => {
      const before = Date.now();
      const response = await request(current!.server)
        .get('/billing/portal')
        .set(as('alice'))
        .set('accept', 'application/json')
        .expect(200)
        .expect('content-type', /application\/json/);
      expect(Object.keys(response.body).sort()).toEqual(['expires_at', 'url']);
      expect(response.body.url).toContain('customer_session_token=polar_cst_');
      const expires = Date.parse(response.body.expires_at);
      expect(expires).toBeGreaterThan(before + 59 * 60_000);
      expectNotStored(response);
    });

    it('never takes the customer from the query or headers', async () => {
      const mallory = polar.seedCustomer({ external_id: 'user-mallory', email: 'mallory@mailinator.com' });
      const response = await request(current!.server)
        .get(`/billing/portal?customer_id=${mallory.id}&external_customer_id=user-mallory&customerId=${mallory.id}`)
        .set(as('alice'))
        .set('x-polar-customer-id', mallory.id)
        .set('x-external-customer-id', 'user-mallory')
        .expect(303);
      expect(response.headers.location).toContain('email=alice%40mailinator.com');
      expect(sessionRequests().map((r) => r.body)).toEqual([{ external_customer_id: 'user-alice' }]);
    });

    it('a customer_id query without a user is still 401', async () => {
      const mallory = polar.seedCustomer({ external_id: 'user-mallory', email: 'mallory@mailinator.com' });
      await request(current!.server).get(`/billing/portal?customer_id=${mallory.id}`).expect(401);
      expect(polar.requests).toEqual([]);
    });

    it('uses String(user.id) for numeric ids', async () => {
      polar.seedCustomer({ external_id: '42', email: 'answer@mailinator.com' });
      await request(current!.server).get('/billing/portal').set(as('numeric')).expect(303);
      expect(sessionRequests()[0]!.body).toEqual({ external_customer_id: '42' });
    });

    it('a user without an id is a clear 500, not a crash', async () => {
      const response = await request(current!.server).get('/billing/portal').set(as('noId')).expect(500);
      expect(response.body).toMatchObject({ code: 'polar_portal_resolver_failed' });
      expect(response.body.message).toMatch(/request\.user\.id/);
      expect(polar.requests).toEqual([]);
    });

    it('answers POST with 404: the route is GET only', async () => {
      await request(current!.server).post('/billing/portal').set(as('alice')).expect(404);
      expect(polar.requests).toEqual([]);
    });
  });

  describe('resolver forms', () => {
    it('a function resolver by Polar customer id', async () => {
      const alice = polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
      current = await createPortalApp({
        adapter,
        polar,
        portal: { customer: (req: { user?: unknown }) => (req.user ? { customerId: alice.id } : null) },
      });
      await request(current.server).get('/billing/portal').expect(401);
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(sessionRequests()[0]!.body).toEqual({ customer_id: alice.id });
    });

    it('an injectable class registered in the app, with its own dependencies', async () => {
      const alice = polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
      current = await createPortalApp({
        adapter,
        polar,
        portal: { customer: DirectoryResolver },
        providers: [UserDirectory, DirectoryResolver],
      });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(sessionRequests()[0]!.body).toEqual({ customer_id: alice.id });
    });

    it('a class nobody registered is instantiated by the module', async () => {
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
      current = await createPortalApp({ adapter, polar, portal: { customer: StandaloneResolver } });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      await request(current.server).get('/billing/portal').expect(401);
      expect(sessionRequests()).toHaveLength(1);
    });

    it('a resolver from the forRootAsync factory', async () => {
      polar.seedCustomer({ external_id: 'ext-from-async', email: 'async@mailinator.com' });
      current = await createPortalApp({
        adapter,
        polar,
        async: true,
        portal: { customer: (req: { user?: unknown }) => (req.user ? { externalCustomerId: 'ext-from-async' } : null) },
      });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(sessionRequests()[0]!.body).toEqual({ external_customer_id: 'ext-from-async' });
    });

    it('the module-level customer resolver answers for the portal, in Polar field names', async () => {
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
      current = await createPortalApp({
        adapter,
        polar,
        portal: {},
        customer: (req: { user?: { id: string } }) => (req.user ? { external_customer_id: req.user.id } : null),
      });
      await request(current.server).get('/billing/portal').expect(401);
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(sessionRequests()[0]!.body).toEqual({ external_customer_id: 'user-alice' });
    });

    it('the module-level customer option and the deprecated portal.customer together stop start-up', async () => {
      const resolver = () => null;
      await expect(
        createPortalApp({ adapter, polar, portal: { customer: resolver }, customer: resolver }),
      ).rejects.toThrow(/"portal.customer" must not be given together with the module-level customer option/);
    });

    it('passes only the known fields of what the resolver returns', async () => {
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
      current = await createPortalApp({
        adapter,
        polar,
        portal: {
          customer: () =>
            ({
              externalCustomerId: 'user-alice',
              passwordHash: 'secret-hash',
              organization_id: 'x',
            }) as unknown as PolarPortalCustomer,
        },
      });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(sessionRequests()[0]!.body).toEqual({ external_customer_id: 'user-alice' });
    });

    it.each<[string, unknown]>([
      ['both ids', { customerId: '7a1c2f0e-5b0e-4c8e-9d5a-2b1f3c4d5e6f', externalCustomerId: 'x' }],
      ['no id', { email: 'a@mailinator.com' }],
      ['an empty id', { externalCustomerId: '' }],
      ['a number', 42],
      ['a customerId that is not a Polar id', { customerId: 'cus_123' }],
    ])('a resolver returning %s is a clear 500 and nothing reaches Polar', async (_label, value) => {
      current = await createPortalApp({ adapter, polar, portal: { customer: () => value as PolarPortalCustomer } });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(500);
      expect(response.body).toMatchObject({ code: 'polar_portal_resolver_failed' });
      expect(response.body.message).toMatch(/resolver returned an invalid value: .*[^.]\.$/);
      expect(polar.requests).toEqual([]);
    });
  });

  describe('app guards from options', () => {
    it('runs the app guard before the resolver: its own 401, then the portal', async () => {
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
      current = await createPortalApp({ adapter, polar, session: false, portal: { guards: [BearerAuthGuard] } });
      const denied = await request(current.server).get('/billing/portal').expect(401);
      expect(denied.body.message).toBe('BearerAuthGuard: a bearer token is required');
      expect(polar.requests).toEqual([]);
      await request(current.server).get('/billing/portal').set('authorization', 'Bearer alice-token').expect(303);
      expect(sessionRequests()[0]!.body).toEqual({ external_customer_id: 'user-alice' });
    });

    it('a guard instance answering false is 403, nothing reaches Polar', async () => {
      current = await createPortalApp({ adapter, polar, portal: { guards: [{ canActivate: () => false }] } });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(403);
      expect(polar.requests).toEqual([]);
    });

    it('a guard throwing ForbiddenException keeps its answer', async () => {
      const guard = {
        canActivate: async () => {
          throw new ForbiddenException('billing is for admins');
        },
      };
      current = await createPortalApp({ adapter, polar, portal: { guards: [guard] } });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(403);
      expect(response.body.message).toBe('billing is for admins');
    });
  });

  describe('answers and paths', () => {
    beforeEach(() => {
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
    });

    it("respondWith 'json' answers JSON even to a browser", async () => {
      current = await createPortalApp({ adapter, polar, portal: { respondWith: 'json' } });
      const response = await request(current.server)
        .get('/billing/portal')
        .set(as('alice'))
        .set('accept', BROWSER_ACCEPT)
        .expect(200);
      expect(response.body.url).toContain('customer_session_token=');
      expectNotStored(response);
    });

    it("respondWith 'redirect' redirects even a JSON client", async () => {
      current = await createPortalApp({ adapter, polar, portal: { respondWith: 'redirect' } });
      await request(current.server)
        .get('/billing/portal')
        .set(as('alice'))
        .set('accept', 'application/json')
        .expect(303);
    });

    it('serves a configured path, and not the default one', async () => {
      current = await createPortalApp({ adapter, polar, portal: { path: '/account/billing/' } });
      await request(current.server).get('/account/billing').set(as('alice')).expect(303);
      await request(current.server).get('/billing/portal').set(as('alice')).expect(404);
    });

    it('a configured path through forRootAsync', async () => {
      current = await createPortalApp({ adapter, polar, async: true, portal: { path: 'me/portal' } });
      await request(current.server).get('/me/portal').set(as('alice')).expect(303);
    });

    it('portal: false registers no route', async () => {
      current = await createPortalApp({ adapter, polar, portal: false });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(404);
      expect(polar.requests).toEqual([]);
    });
  });
});

describe('portal options are checked at start-up', () => {
  it.each<[string, object, RegExp]>([
    ['a wildcard origin', { allowedReturnOrigins: ['https://*.example.com'] }, /portal\.allowedReturnOrigins\[0\]/],
    [
      'an origin with a path',
      { allowedReturnOrigins: ['https://ok.example', 'https://a.example/x'] },
      /portal\.allowedReturnOrigins\[1\]/,
    ],
    ['a bad appOrigin', { appOrigin: 'app.example.com' }, /portal\.appOrigin/],
    ['an open-redirect default', { defaultReturnUrl: '//evil.example' }, /portal\.defaultReturnUrl/],
    ['an unknown respondWith', { respondWith: 'xml' }, /portal\.respondWith/],
    ['a non-guard', { guards: [42] }, /portal\.guards\[0\]/],
    ['a non-function resolver', { customer: 'user' }, /portal\.customer/],
    [
      'a class without resolve()',
      { customer: class NotAResolver {} },
      /portal\.customer" is a class without a resolve/,
    ],
    ['a non-boolean createCustomerIfMissing', { createCustomerIfMissing: 'yes' }, /portal\.createCustomerIfMissing/],
  ])('%s stops start-up naming the option', async (_label, portal, message) => {
    await expect(createPortalApp({ adapter: 'express', polar, portal: portal as never })).rejects.toThrow(message);
  });
});
