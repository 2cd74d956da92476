/**
 * The sample app's own e2e test, written the way an app using nestjs-polar would write it: start the
 * emulator, point the polar config namespace at it, and drive the app with supertest.
 */
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { PolarCustomerStateService } from 'nestjs-polar';
import { polarConfig } from 'nestjs-polar/config';
import { PolarEmulator } from 'nestjs-polar/testing';
import { AppModule } from '../../sample/app.module.js';
import { userIdForEmail } from '../../sample/auth/session-cookie.js';

describe('sample app (supertest against the Polar emulator)', () => {
  let polar: PolarEmulator;
  let app: INestApplication;
  let appUrl: string;

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      // What POLAR_ACCESS_TOKEN / POLAR_BASE_URL would say: the emulator instead of Polar.
      .overrideProvider(polarConfig.KEY)
      .useValue({ accessToken: polar.accessToken, baseUrl: polar.url })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    appUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await polar?.stop();
  });

  beforeEach(() => {
    polar.reset();
    polar.faults.clear();
  });

  const signIn = async (email: string, name = ''): Promise<string> => {
    const res = await request(appUrl).post('/sign-in').type('form').send({ email, name }).expect(303);
    expect(res.headers.location).toBe('/');
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0];
    expect(cookie).toMatch(/^sample_session=[^;]+;.*HttpOnly/);
    return cookie.split(';')[0];
  };

  it('sends a visitor without a session to the demo sign-in page', async () => {
    await request(appUrl).get('/').expect(303).expect('Location', '/sign-in');
    const page = await request(appUrl)
      .get('/sign-in')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(page.text).toContain('Demo sign-in');
  });

  it('creates the Polar customer at sign-in, once, with the user id as external id', async () => {
    const cookie = await signIn('ada@mailinator.com', 'Ada Lovelace');
    await signIn('ada@mailinator.com', 'Ada Lovelace');

    expect(polar.customers).toEqual([
      expect.objectContaining({
        external_id: userIdForEmail('ada@mailinator.com'),
        email: 'ada@mailinator.com',
        name: 'Ada Lovelace',
      }),
    ]);
    const home = await request(appUrl).get('/').set('Cookie', cookie).expect(200);
    expect(home.text).toContain('ada@mailinator.com');
    expect(home.text).toContain('href="/billing/portal">Manage billing</a>');
  });

  it('redirects "Manage billing" to the portal of the signed-in user, with the app home as return URL', async () => {
    const cookie = await signIn('grace@mailinator.com');
    const res = await request(appUrl)
      .get('/billing/portal')
      .set('Cookie', cookie)
      .set('Accept', 'text/html')
      .expect(303);

    expect(res.headers.location).toMatch(
      new RegExp(`^${polar.url}/emulator-org/portal\\?customer_session_token=polar_cst_`),
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const created = polar.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customer-sessions/');
    expect(created.map((r) => r.body)).toEqual([
      expect.objectContaining({
        external_customer_id: userIdForEmail('grace@mailinator.com'),
        return_url: `${appUrl}/`,
      }),
    ]);
    const portal = await request(res.headers.location).get('').expect(200);
    expect(portal.text).toContain('grace@mailinator.com');
    expect(portal.text).toContain(`href="${appUrl}/"`);
  });

  it('gates /pro on a subscription: home with an upgrade notice before buying, the page after', async () => {
    const cookie = await signIn('sub@mailinator.com');
    const refused = await request(appUrl).get('/pro').set('Cookie', cookie).set('Accept', 'text/html').expect(303);
    expect(refused.headers.location).toBe('/?code=subscription_required');
    const home = await request(appUrl)
      .get(refused.headers.location as string)
      .set('Cookie', cookie)
      .expect(200);
    expect(home.text).toContain('data-testid="upgrade"');
    await request(appUrl).get('/pro').set('Cookie', cookie).set('Accept', 'application/json').expect(402);

    const product = polar.billing.seedProduct({
      name: 'Pro monthly',
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: 900 }],
    });
    const customer = polar.customers.find((c) => c.email === 'sub@mailinator.com')!;
    polar.billing.purchase({ customer: customer.id, product: product.id });
    // The sample has no webhook route: the state refreshes on the next fetch after ttlMs, or at once here.
    await app.get(PolarCustomerStateService).refresh({ external_customer_id: customer.external_id! });
    const page = await request(appUrl).get('/pro').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('data-testid="pro"');
  });

  it('answers JSON { url, expires_at } to a client that asks for JSON', async () => {
    const cookie = await signIn('json@mailinator.com');
    const res = await request(appUrl)
      .get('/billing/portal')
      .set('Cookie', cookie)
      .set('Accept', 'application/json')
      .expect(200);
    expect(res.body).toEqual({
      url: expect.stringContaining(`${polar.url}/emulator-org/portal?`),
      expires_at: expect.any(String),
    });
  });

  it('keeps signed-out and forged sessions out of the portal: browsers go to sign-in, API clients get 401', async () => {
    const forged = `sample_session=${Buffer.from(JSON.stringify({ id: 'user_x', email: 'x@mailinator.com', iat: Date.now() / 1000 })).toString('base64url')}.AAAA`;
    for (const cookie of ['', forged]) {
      await request(appUrl)
        .get('/billing/portal')
        .set('Cookie', cookie)
        .set('Accept', 'text/html')
        .expect(303)
        .expect('Location', '/sign-in?reason=signed-out');
      const api = await request(appUrl)
        .get('/billing/portal')
        .set('Cookie', cookie)
        .set('Accept', 'application/json')
        .expect(401);
      expect(api.body.code).toBe('polar_portal_unauthenticated');
    }
    expect(polar.requests).toEqual([]);
  });

  it('ignores a customer id a client puts in the query', async () => {
    await signIn('victim@mailinator.com');
    const victimId = polar.customers[0].id;
    const cookie = await signIn('mallory@mailinator.com');
    await request(appUrl).get(`/billing/portal?customer_id=${victimId}`).set('Cookie', cookie).expect(303);
    const last = polar.requests.filter((r) => r.path === '/v1/customer-sessions/').at(-1)!;
    expect(last.body).toEqual(
      expect.objectContaining({ external_customer_id: userIdForEmail('mallory@mailinator.com') }),
    );
  });

  it('rejects a malformed email on the sign-in page without calling Polar', async () => {
    const res = await request(appUrl)
      .post('/sign-in')
      .type('form')
      .send({ email: 'not-an-email', name: 'X' })
      .expect(400);
    expect(res.text).toContain('Enter a valid email address');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(polar.requests).toEqual([]);
  });

  it('shows why sign-in failed when Polar is down, and does not sign the user in', async () => {
    polar.faults.forceStatus(503);
    const res = await request(appUrl).post('/sign-in').type('form').send({ email: 'down@mailinator.com' }).expect(502);
    expect(res.text).toContain('Your billing account could not be set up (502)');
    expect(res.text).not.toContain(polar.accessToken);
    expect(res.headers['set-cookie']).toBeUndefined();
  }, 20_000);

  it('signs out by clearing the session cookie', async () => {
    await signIn('bye@mailinator.com');
    const res = await request(appUrl).post('/sign-out').expect(303).expect('Location', '/sign-in');
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]).toMatch(
      /^sample_session=;.*Expires=Thu, 01 Jan 1970/,
    );
  });
});
