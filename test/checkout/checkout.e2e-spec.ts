import request from 'supertest';
import { jest } from '@jest/globals';
import { OPEN_REDIRECT_CASES } from '../../lib/return-url/open-redirect.fixtures.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type PolarTestApp } from '../support/polar-app.js';
import { type Catalogue, createCheckoutApp, seedCatalogue, signedIn, stateRefreshModule } from './checkout-test-app.js';

const JSON_ACCEPT = { accept: 'application/json' };
const PORTAL_URL = /\/portal\?customer_session_token=polar_cst_/;
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let polar: PolarEmulator;
let catalogue: Catalogue;
let userSeq = 0;
/** A user nobody used before, so each test starts with a customer of its own. */
const freshUser = (): string => `user-${++userSeq}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  polar = await PolarEmulator.start();
  catalogue = seedCatalogue(polar);
});
afterAll(async () => {
  await polar.stop();
});

const creates = () => polar.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkouts/');
const sessionCreates = () => polar.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customer-sessions/');

function expectPrivate(response: request.Response): void {
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
}

/** The checkout id behind a checkout URL, read as the checkout page does (by its client secret). */
async function checkoutIdOf(url: string): Promise<string> {
  const secret = url.split('/checkout/')[1]!;
  const response = await fetch(`${polar.url}/v1/checkouts/client/${secret}`);
  return String(((await response.json()) as { id: string }).id);
}

describe.each(ADAPTERS)('checkout routes on %s', (adapter) => {
  let current: PolarTestApp;
  const refreshed: unknown[] = [];

  beforeAll(async () => {
    current = await createCheckoutApp({
      adapter,
      polar,
      catalogue,
      imports: [stateRefreshModule({ refresh: async (customer) => void refreshed.push(customer) })],
    });
  });
  afterAll(async () => {
    await current.app.close();
  });
  beforeEach(() => {
    polar.clearRequests();
    polar.faults.clear();
    refreshed.length = 0;
  });

  describe('GET /billing/checkout/:plan', () => {
    it('answers 303 to a checkout of the plan for the signed-in customer, private, with what was validated', async () => {
      const user = freshUser();
      const response = await request(current.server)
        .get('/billing/checkout/pro')
        .set(signedIn(user))
        .set('accept', BROWSER_ACCEPT);
      expect(response.status).toBe(303);
      expectPrivate(response);
      expect(response.headers.location).toMatch(new RegExp(`^${polar.url}/checkout/polar_c_`));
      expect(creates()).toHaveLength(1);
      expect(creates()[0]!.body).toEqual({
        products: [catalogue.pro.id],
        external_customer_id: user,
        customer_email: `${user}@mailinator.com`,
        customer_name: `User ${user}`,
        success_url: 'https://app.example/billing/checkout/success?checkout_id={CHECKOUT_ID}',
        metadata: { tier: 'pro', nestjs_polar_plan: 'pro', nestjs_polar_request: expect.any(String) },
      });
    });

    it('answers JSON { url, client_secret, expires_at } for the embedded checkout when asked', async () => {
      const response = await request(current.server)
        .get('/billing/checkout/pro')
        .set(signedIn(freshUser()))
        .set(JSON_ACCEPT);
      expect(response.status).toBe(200);
      expectPrivate(response);
      expect(response.headers.vary).toMatch(/accept/i);
      expect(Object.keys(response.body as object).sort()).toEqual(['client_secret', 'expires_at', 'url']);
      expect(response.body.client_secret).toMatch(/^polar_c_/);
      expect(response.body.url).toBe(`${polar.url}/checkout/${response.body.client_secret}`);
    });

    it.each(['enterprise', 'PRO', '__proto__', 'constructor', 'toString', '..%2Fpro', 'pro%00', catalogueless()])(
      'answers 404 for the plan %s it does not sell, and asks Polar nothing',
      async (plan) => {
        const response = await request(current.server).get(`/billing/checkout/${plan}`).set(signedIn(freshUser()));
        expect(response.status).toBe(404);
        expect(response.body.code).toBe('polar_checkout_unknown_plan');
        expectPrivate(response);
        expect(polar.requests).toHaveLength(0);
      },
    );

    it('answers 401 without a signed-in customer, and asks Polar nothing', async () => {
      const response = await request(current.server).get('/billing/checkout/pro');
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 'polar_checkout_unauthenticated' });
      expectPrivate(response);
      expect(polar.requests).toHaveLength(0);
    });

    it.each(OPEN_REDIRECT_CASES)('refuses the return_url %j (%s) with 400, before Polar', async (value, rule) => {
      const response = await request(current.server)
        .get('/billing/checkout/pro')
        .query({ return_url: value })
        .set(signedIn(freshUser()));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'polar_invalid_return_url', field: 'return_url', rule });
      expect(polar.requests).toHaveLength(0);
    });

    it('sends a return_url the policy accepts, resolved against the app origin', async () => {
      const response = await request(current.server)
        .get('/billing/checkout/pro')
        .query({ return_url: '/pricing?from=checkout' })
        .set(signedIn(freshUser()));
      expect(response.status).toBe(303);
      expect(creates()[0]!.body).toMatchObject({ return_url: 'https://app.example/pricing?from=checkout' });
    });

    it('sends an embed_origin on the app or an allowed origin, and refuses any other with 400', async () => {
      const ok = await request(current.server)
        .get('/billing/checkout/pro')
        .query({ embed_origin: 'https://allowed.example' })
        .set(signedIn(freshUser()))
        .set(JSON_ACCEPT);
      expect(ok.status).toBe(200);
      expect(creates()[0]!.body).toMatchObject({ embed_origin: 'https://allowed.example' });
      polar.clearRequests();
      for (const [value, rule] of [
        ['https://evil.example', 'origin-not-allowed'],
        ['https://app.example/path', 'not-an-origin'],
        ['javascript:alert(1)', 'not-an-origin'],
      ]) {
        const refused = await request(current.server)
          .get('/billing/checkout/pro')
          .query({ embed_origin: value })
          .set(signedIn(freshUser()));
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({ field: 'embed_origin', rule });
      }
      expect(polar.requests).toHaveLength(0);
    });

    it("sends seats within the plan's bounds (and the bounds for the checkout page); refuses others with 400", async () => {
      const ok = await request(current.server).get('/billing/checkout/team?seats=5').set(signedIn(freshUser()));
      expect(ok.status).toBe(303);
      expect(creates()[0]!.body).toMatchObject({ seats: 5, min_seats: 2, max_seats: 20 });
      polar.clearRequests();
      for (const [path, rule] of [
        ['/billing/checkout/team?seats=1', 'isInRange'],
        ['/billing/checkout/team?seats=21', 'isInRange'],
        ['/billing/checkout/team?seats=2.5', 'isInRange'],
        ['/billing/checkout/team?seats=05', 'isInRange'],
        ['/billing/checkout/team?seats=abc', 'isInRange'],
        ['/billing/checkout/pro?seats=3', 'isAllowed'],
      ]) {
        const refused = await request(current.server).get(path!).set(signedIn(freshUser()));
        expect(refused.status).toBe(400);
        expect(refused.body.problems).toEqual([expect.objectContaining({ field: 'seats', rule })]);
      }
      expect(polar.requests).toHaveLength(0);
    });

    it('reuses the open checkout of a double click instead of creating another', async () => {
      const user = freshUser();
      const [first, second] = await Promise.all([
        request(current.server).get('/billing/checkout/pro').set(signedIn(user)),
        request(current.server).get('/billing/checkout/pro').set(signedIn(user)),
      ]);
      const third = await request(current.server).get('/billing/checkout/pro').set(signedIn(user));
      expect([first.status, second.status, third.status]).toEqual([303, 303, 303]);
      expect(second.headers.location).toBe(first.headers.location);
      expect(third.headers.location).toBe(first.headers.location);
      expect(creates()).toHaveLength(1);
      // Another request (another return URL, another customer) is another checkout.
      const other = await request(current.server).get('/billing/checkout/pro?return_url=/account').set(signedIn(user));
      const someoneElse = await request(current.server).get('/billing/checkout/pro').set(signedIn(freshUser()));
      expect(new Set([first.headers.location, other.headers.location, someoneElse.headers.location]).size).toBe(3);
      expect(creates()).toHaveLength(3);
    });

    it('does not reuse a checkout that was paid: the customer is then subscribed and goes to the portal', async () => {
      const user = freshUser();
      const first = await request(current.server).get('/billing/checkout/pro').set(signedIn(user));
      polar.billing.pay(await checkoutIdOf(first.headers.location!));
      polar.clearRequests();
      const again = await request(current.server).get('/billing/checkout/pro').set(signedIn(user));
      expect(again.status).toBe(303);
      expect(again.headers.location).toMatch(PORTAL_URL);
      expect(creates()).toHaveLength(0);
    });
  });

  describe('a customer who is already subscribed', () => {
    const subscribed = (): string => {
      const user = freshUser();
      const customer = polar.seedCustomer({ email: `${user}@mailinator.com`, external_id: user });
      polar.billing.seedSubscription({ customer, product: catalogue.pro.id });
      polar.clearRequests();
      return user;
    };

    it('goes to the portal (303), never into a checkout Polar would refuse', async () => {
      const user = subscribed();
      for (const plan of ['pro', 'team']) {
        const response = await request(current.server)
          .get(`/billing/checkout/${plan}?return_url=/account`)
          .set(signedIn(user));
        expect(response.status).toBe(303);
        expectPrivate(response);
        expect(response.headers.location).toMatch(PORTAL_URL);
        expect(response.headers.location!.startsWith(polar.url)).toBe(true);
      }
      expect(creates()).toHaveLength(0);
      expect(sessionCreates()[0]!.body).toEqual({
        external_customer_id: user,
        return_url: 'https://app.example/account',
      });
    });

    it('is answered 409 without any URL when the client asked for JSON', async () => {
      const response = await request(current.server)
        .get('/billing/checkout/pro')
        .set(signedIn(subscribed()))
        .set(JSON_ACCEPT);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('polar_already_subscribed');
      expect(JSON.stringify(response.body)).not.toMatch(/portal\/|polar_c_|polar_cst_|http/);
      expect(creates()).toHaveLength(0);
    });

    it('can still buy a one-time product', async () => {
      const response = await request(current.server).get('/billing/checkout/lifetime').set(signedIn(subscribed()));
      expect(response.status).toBe(303);
      expect(response.headers.location).toContain('/checkout/polar_c_');
    });
  });

  describe('POST /billing/checkout/:plan (forms)', () => {
    it('answers a form post like the GET, reading the form fields', async () => {
      const response = await request(current.server)
        .post('/billing/checkout/team')
        .set(signedIn(freshUser()))
        .type('form')
        .send({ seats: '3', return_url: '/pricing' });
      expect(response.status).toBe(303);
      expect(creates()[0]!.body).toMatchObject({ seats: 3, return_url: 'https://app.example/pricing' });
    });

    it('answers a bare button post (no fields) and a JSON post', async () => {
      const bare = await request(current.server).post('/billing/checkout/pro').set(signedIn(freshUser()));
      expect(bare.status).toBe(303);
      const json = await request(current.server)
        .post('/billing/checkout/team')
        .set(signedIn(freshUser()))
        .set(JSON_ACCEPT)
        .send({ seats: 4 });
      expect(json.status).toBe(200);
      expect(creates()[1]!.body).toMatchObject({ seats: 4 });
    });

    it('refuses a field given both in the query and the body with 400', async () => {
      const response = await request(current.server)
        .post('/billing/checkout/team?seats=3')
        .set(signedIn(freshUser()))
        .send({ seats: 4 });
      expect(response.status).toBe(400);
      expect(response.body.problems).toEqual([expect.objectContaining({ field: 'seats', rule: 'isSingle' })]);
      expect(polar.requests).toHaveLength(0);
    });
  });

  describe('GET /billing/checkout/success', () => {
    async function paidCheckout(user: string): Promise<string> {
      const response = await request(current.server).get('/billing/checkout/pro').set(signedIn(user));
      const id = await checkoutIdOf(response.headers.location!);
      polar.billing.pay(id);
      return id;
    }

    it("verifies the customer's succeeded checkout, refreshes their state and redirects to the app's page", async () => {
      const user = freshUser();
      const id = await paidCheckout(user);
      const response = await request(current.server)
        .get(`/billing/checkout/success?checkout_id=${id}`)
        .set(signedIn(user));
      expect(response.status).toBe(303);
      expectPrivate(response);
      expect(response.headers.location).toBe('https://app.example/welcome');
      expect(refreshed).toEqual([{ external_customer_id: user }]);
    });

    it("refuses someone else's checkout id as if it did not exist (404), refreshing nothing", async () => {
      const id = await paidCheckout(freshUser());
      const response = await request(current.server)
        .get(`/billing/checkout/success?checkout_id=${id}`)
        .set(signedIn(freshUser()));
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('polar_checkout_not_found');
      const unknown = await request(current.server)
        .get('/billing/checkout/success?checkout_id=4b1a7f5e-9c3d-4e2f-8a6b-1c2d3e4f5a6b')
        .set(signedIn(freshUser()));
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(response.body);
      expect(refreshed).toEqual([]);
    });

    it('answers 409 for a checkout that has not succeeded, 400 for a malformed id, 401 without a customer', async () => {
      const user = freshUser();
      const open = await request(current.server).get('/billing/checkout/pro').set(signedIn(user));
      const id = await checkoutIdOf(open.headers.location!);
      const unpaid = await request(current.server)
        .get(`/billing/checkout/success?checkout_id=${id}`)
        .set(signedIn(user));
      expect(unpaid.status).toBe(409);
      expect(unpaid.body).toMatchObject({ code: 'polar_checkout_not_succeeded' });
      polar.billing.decline(id);
      const declined = await request(current.server)
        .get(`/billing/checkout/success?checkout_id=${id}`)
        .set(signedIn(user));
      expect(declined.status).toBe(409);
      expect(declined.body.message).toContain('failed');
      polar.clearRequests();
      for (const query of ['', '?checkout_id=not-a-uuid', `?checkout_id=${id}&checkout_id=${id}`]) {
        const bad = await request(current.server).get(`/billing/checkout/success${query}`).set(signedIn(user));
        expect(bad.status).toBe(400);
        expect(bad.body.problems).toEqual([expect.objectContaining({ field: 'checkout_id', rule: 'isUuid4' })]);
      }
      const anonymous = await request(current.server).get(`/billing/checkout/success?checkout_id=${id}`);
      expect(anonymous.status).toBe(401);
      expect(polar.requests).toHaveLength(0);
      expect(refreshed).toEqual([]);
    });
  });

  describe("Polar's failures, through the portal's error table", () => {
    it.each([
      ['500', () => polar.faults.forceStatus(500), 502, 'polar_upstream_error'],
      ['429', () => polar.faults.forceStatus(429), 503, 'polar_rate_limited'],
      ['a reset connection', () => polar.faults.resetConnection(), 502, 'polar_upstream_error'],
      ['401 (our token)', () => polar.faults.forceStatus(401), 502, 'polar_authentication_failed'],
      ['nothing within timeoutMs', () => polar.faults.hang(), 504, 'polar_timeout'],
    ])(
      'Polar answering %s is %i %s, private, with no secret in the body or the log',
      async (_what, fault, status, code) => {
        fault();
        const response = await request(current.server).get('/billing/checkout/pro').set(signedIn(freshUser()));
        expect(response.status).toBe(status);
        expect(response.body.code).toBe(code);
        expectPrivate(response);
        const seen = JSON.stringify(response.body) + current.logger.text();
        expect(seen).not.toContain(polar.accessToken);
        expect(seen).not.toMatch(/polar_c_|polar_cst_/);
      },
    );

    it('keeps client secrets and checkout URLs out of the log of a whole purchase', async () => {
      const user = freshUser();
      const response = await request(current.server).get('/billing/checkout/pro').set(signedIn(user)).set(JSON_ACCEPT);
      const id = await checkoutIdOf(response.body.url);
      polar.billing.pay(id);
      await request(current.server).get(`/billing/checkout/success?checkout_id=${id}`).set(signedIn(user));
      const log = current.logger.text();
      expect(log).not.toContain(response.body.client_secret);
      expect(log).not.toContain(polar.accessToken);
    });
  });
});

describe.each(ADAPTERS)('checkout options on %s', (adapter) => {
  let current: PolarTestApp | undefined;
  beforeEach(() => polar.clearRequests());
  afterEach(async () => {
    await current?.app.close();
    current = undefined;
  });

  it('sells to a visitor when anonymous checkout is on, without any customer id', async () => {
    current = await createCheckoutApp({ adapter, polar, catalogue, checkout: { allowAnonymous: true } });
    const response = await request(current.server).get('/billing/checkout/pro');
    expect(response.status).toBe(303);
    const body = creates()[0]!.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('external_customer_id');
    expect(body).not.toHaveProperty('customer_id');
    // Two visitors clicking at the same moment never share a checkout.
    const [one, two] = await Promise.all([
      request(current.server).get('/billing/checkout/pro'),
      request(current.server).get('/billing/checkout/pro'),
    ]);
    expect(one.headers.location).not.toBe(two.headers.location);
  });

  it("with allowMultipleSubscriptions checks only this very plan, and Polar's own refusal (403) still lands on the portal", async () => {
    current = await createCheckoutApp({ adapter, polar, catalogue, checkout: { allowMultipleSubscriptions: true } });
    const user = freshUser();
    const customer = polar.seedCustomer({ email: `${user}@mailinator.com`, external_id: user });
    polar.billing.seedSubscription({ customer, product: catalogue.pro.id });
    const pro = await request(current.server).get('/billing/checkout/pro').set(signedIn(user));
    expect(pro.headers.location).toMatch(PORTAL_URL);
    expect(creates()).toHaveLength(0);
    // The emulator's organization does not allow several subscriptions: Polar refuses, the customer still gets the portal.
    const team = await request(current.server).get('/billing/checkout/team').set(signedIn(user));
    expect(creates()).toHaveLength(1);
    expect(polar.requests.find((r) => r.path === '/v1/checkouts/' && r.method === 'POST')?.status).toBe(403);
    expect(team.status).toBe(303);
    expect(team.headers.location).toMatch(PORTAL_URL);
  });

  it("sells a dynamic catalogue's plans, 404 for what it does not sell, 500 (logged) when it fails", async () => {
    const resolvePlan = jest.fn(async (name: string) => {
      if (name === 'broken') throw new Error('catalogue database is down');
      if (name === 'invalid') return { products: ['not-a-uuid'] };
      return name === 'extra' ? { products: [catalogue.lifetime.id], metadata: { source: 'db' } } : null;
    });
    current = await createCheckoutApp({ adapter, polar, catalogue, checkout: { resolvePlan } });
    const extra = await request(current.server).get('/billing/checkout/extra').set(signedIn(freshUser()));
    expect(extra.status).toBe(303);
    expect(creates()[0]!.body).toMatchObject({ products: [catalogue.lifetime.id], metadata: { source: 'db' } });
    const missing = await request(current.server).get('/billing/checkout/missing').set(signedIn(freshUser()));
    expect(missing.status).toBe(404);
    const broken = await request(current.server).get('/billing/checkout/broken').set(signedIn(freshUser()));
    expect(broken.status).toBe(500);
    expect(current.logger.errors().join('\n')).toContain('checkout.resolvePlan');
    const invalid = await request(current.server).get('/billing/checkout/invalid').set(signedIn(freshUser()));
    expect(invalid.status).toBe(500);
    expect(invalid.body.message).toContain('products[0]');
    // Configured plans never reach the catalogue.
    await request(current.server).get('/billing/checkout/pro').set(signedIn(freshUser()));
    expect(resolvePlan.mock.calls.map(([name]) => name)).toEqual(['extra', 'missing', 'broken', 'invalid']);
  });

  it("adds the app's metadata, and refuses (500) metadata that uses the module's keys", async () => {
    current = await createCheckoutApp({
      adapter,
      polar,
      catalogue,
      checkout: {
        metadata: (req: { headers: Record<string, unknown> }): Record<string, string> =>
          req.headers['x-forge'] ? { nestjs_polar_plan: 'free' } : { referral: 'newsletter' },
      },
    });
    const ok = await request(current.server).get('/billing/checkout/pro').set(signedIn(freshUser()));
    expect(ok.status).toBe(303);
    expect(creates()[0]!.body).toMatchObject({
      metadata: { tier: 'pro', referral: 'newsletter', nestjs_polar_plan: 'pro' },
    });
    const forged = await request(current.server)
      .get('/billing/checkout/pro')
      .set(signedIn(freshUser()))
      .set('x-forge', '1');
    expect(forged.status).toBe(500);
    expect(creates()).toHaveLength(1);
  });

  it('keeps a global prefix in the success_url it gives Polar', async () => {
    current = await createCheckoutApp({ adapter, polar, catalogue });
    await current.app.close();
    current = undefined;
    const { polarTestApp } = await import('../support/polar-app.js');
    const { TestUserGuard, plansOf, CHECKOUT_OPTIONS } = await import('./checkout-test-app.js');
    const { APP_GUARD } = await import('@nestjs/core');
    current = await polarTestApp()
      .on(adapter)
      .api(polar)
      .options({ readRetries: 0, plans: plansOf(catalogue) })
      .checkout(CHECKOUT_OPTIONS)
      .providers({ provide: APP_GUARD, useClass: TestUserGuard })
      .configure((app) => app.setGlobalPrefix('api'))
      .start();
    const response = await request(current.server).get('/api/billing/checkout/pro').set(signedIn(freshUser()));
    expect(response.status).toBe(303);
    expect(creates()[0]!.body).toMatchObject({
      success_url: 'https://app.example/api/billing/checkout/success?checkout_id={CHECKOUT_ID}',
    });
  });
});

/** A product id as a plan name: clients name plans, never products. */
function catalogueless(): string {
  return '6f9a2a64-1111-4c3b-9a57-2f1d4e7c0a01';
}
