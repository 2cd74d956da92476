import request from 'supertest';
import { PolarEmulator } from '../../lib/testing/index.js';
import { OPEN_REDIRECT_CASES } from '../../lib/return-url/open-redirect.fixtures.js';
import { ADAPTERS, as, createPortalApp, type PortalApp } from './portal-test-app.js';

let polar: PolarEmulator;

beforeAll(async () => {
  polar = await PolarEmulator.start();
});
afterAll(async () => {
  await polar.stop();
});

const sentReturnUrls = () =>
  polar.requests
    .filter((r) => r.path === '/v1/customer-sessions/')
    .map((r) => (r.body as { return_url?: string }).return_url);

describe.each(ADAPTERS)('return_url of the portal route on %s', (adapter) => {
  describe('with appOrigin, an allowlist and a default', () => {
    let app: PortalApp;

    beforeAll(async () => {
      app = await createPortalApp({
        adapter,
        polar,
        portal: {
          appOrigin: 'https://app.example',
          allowedReturnOrigins: ['https://allowed.example', 'http://localhost:3000'],
          defaultReturnUrl: '/account',
        },
      });
    });
    afterAll(async () => {
      await app.app.close();
    });
    beforeEach(() => {
      polar.reset();
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
    });

    const open = (query: string) => request(app.server).get(`/billing/portal${query}`).set(as('alice'));

    it('sends the default, resolved against appOrigin, when none is given', async () => {
      await open('').expect(303);
      expect(sentReturnUrls()).toEqual(['https://app.example/account']);
    });

    it.each([
      ['/settings?tab=billing', 'https://app.example/settings?tab=billing'],
      ['/', 'https://app.example/'],
      ['https://allowed.example/thanks', 'https://allowed.example/thanks'],
      ['https://app.example/home', 'https://app.example/home'],
      ['http://localhost:3000/dev', 'http://localhost:3000/dev'],
    ])('accepts %s as %s', async (given, sent) => {
      await open(`?return_url=${encodeURIComponent(given)}`).expect(303);
      expect(sentReturnUrls()).toEqual([sent]);
    });

    it('resolves relative paths against appOrigin, not the Host header', async () => {
      await open('?return_url=%2Fx').set('host', 'attacker.example').expect(303);
      expect(sentReturnUrls()).toEqual(['https://app.example/x']);
    });

    describe('refuses every open-redirect shape with 400 and sends nothing to Polar', () => {
      it.each(OPEN_REDIRECT_CASES)('%j → %s', async (value, rule) => {
        const response = await open(`?return_url=${encodeURIComponent(value)}`).expect(400);
        expect(response.body).toMatchObject({
          statusCode: 400,
          code: 'polar_invalid_return_url',
          field: 'return_url',
          rule,
        });
        expect(response.body.message).toMatch(/^return_url was rejected: /);
        expect(polar.requests).toEqual([]);
      });
    });

    it.each([
      ['a raw (single-encoded) protocol-relative URL', '?return_url=%2F%2Fevil.example', 'protocol-relative'],
      ['a raw CR/LF', '?return_url=%2F%0D%0ALocation:%20https://evil.example', 'control-character'],
      ['a raw tab', '?return_url=%2F%09%2Fevil.example', 'control-character'],
      ['a raw backslash', '?return_url=%2F%5Cevil.example', 'backslash'],
      ['a plus-encoded space', '?return_url=+//evil.example', 'whitespace'],
      ['a repeated parameter', '?return_url=%2Fa&return_url=%2Fb', 'repeated'],
      ['an empty value', '?return_url=', 'empty'],
    ])('refuses %s', async (_label, query, rule) => {
      const response = await open(query).expect(400);
      expect(response.body).toMatchObject({ field: 'return_url', rule });
      expect(polar.requests).toEqual([]);
    });

    it('checks the user before the return_url: no user is 401 even with a bad return_url', async () => {
      await request(app.server).get('/billing/portal?return_url=%2F%2Fevil.example').expect(401);
    });

    it('the 400 is not stored either', async () => {
      const response = await open('?return_url=%2F%2Fevil.example').expect(400);
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  describe('without appOrigin', () => {
    let app: PortalApp;

    beforeAll(async () => {
      app = await createPortalApp({ adapter, polar, portal: { allowedReturnOrigins: ['https://allowed.example'] } });
    });
    afterAll(async () => {
      await app.app.close();
    });
    beforeEach(() => {
      polar.reset();
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
    });

    it('sends no return_url when none is given and no default is set', async () => {
      await request(app.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(polar.requests[0]!.body).toEqual({ external_customer_id: 'user-alice' });
    });

    it("resolves a relative path against the request's own origin", async () => {
      await request(app.server)
        .get('/billing/portal?return_url=%2Fback')
        .set(as('alice'))
        .set('host', 'app.local:8080')
        .expect(303);
      expect(sentReturnUrls()).toEqual(['http://app.local:8080/back']);
    });

    it('refuses a relative path when the Host is not a plain host', async () => {
      const response = await request(app.server)
        .get('/billing/portal?return_url=%2Fback')
        .set(as('alice'))
        .set('host', 'evil.example@app.local')
        .expect(400);
      expect(response.body).toMatchObject({ rule: 'no-app-origin' });
    });

    it('does not accept an absolute URL on the request host (only configured origins)', async () => {
      const response = await request(app.server)
        .get(`/billing/portal?return_url=${encodeURIComponent('http://app.local:8080/x')}`)
        .set(as('alice'))
        .set('host', 'app.local:8080')
        .expect(400);
      expect(response.body).toMatchObject({ rule: 'origin-not-allowed' });
    });
  });

  describe('with an absolute defaultReturnUrl on an origin that is not allowlisted', () => {
    let app: PortalApp;

    beforeAll(async () => {
      app = await createPortalApp({
        adapter,
        polar,
        portal: { appOrigin: 'https://app.example', defaultReturnUrl: 'https://www.example.com/account?from=portal' },
      });
    });
    afterAll(async () => {
      await app.app.close();
    });
    beforeEach(() => {
      polar.reset();
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
    });

    it('sends the configured default as it is: the app trusts its own configuration', async () => {
      await request(app.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(sentReturnUrls()).toEqual(['https://www.example.com/account?from=portal']);
    });

    it('still refuses that origin as a return_url query parameter', async () => {
      const response = await request(app.server)
        .get(`/billing/portal?return_url=${encodeURIComponent('https://www.example.com/account')}`)
        .set(as('alice'))
        .expect(400);
      expect(response.body).toMatchObject({ rule: 'origin-not-allowed' });
      expect(polar.requests).toEqual([]);
    });
  });
});
