import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PolarEmulator } from '../../lib/testing/index.js';
import { createModuleTestApp, deletedEvents, SETUPS } from './module-test-app.js';

type Server = Parameters<typeof request>[0];
const UNKNOWN_ID = '5b0f3c2e-8d1a-4f6b-9c3d-7e2a1b4c5d6e';

describe.each(SETUPS)('PolarModule over HTTP via %s', (setup) => {
  let polar: PolarEmulator;
  let app: INestApplication;
  let http: Server;
  const extraApps: INestApplication[] = [];

  const extraEmulators: PolarEmulator[] = [];
  const another = async (overrides: Parameters<typeof createModuleTestApp>[2], emulator = polar): Promise<Server> => {
    const extra = await createModuleTestApp(setup, emulator, overrides);
    extraApps.push(extra);
    return extra.getHttpServer() as Server;
  };
  const polarCalls = () => polar.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    app = await createModuleTestApp(setup, polar);
    http = app.getHttpServer() as Server;
  });

  afterEach(async () => {
    await Promise.all(extraApps.splice(0).map((extra) => extra.close()));
    await Promise.all(extraEmulators.splice(0).map((extra) => extra.stop()));
    polar.reset();
    deletedEvents.length = 0;
  });

  afterAll(async () => {
    await app.close();
    await polar.stop();
  });

  describe('CustomersService', () => {
    it('create → 201 with the new customer', async () => {
      const res = await request(http)
        .post('/customers')
        .send({ email: 'ada@mailinator.com', external_id: 'user_1', name: 'Ada', metadata: { plan: 'pro', seats: 3 } })
        .expect(201);
      expect(res.body).toMatchObject({
        email: 'ada@mailinator.com',
        external_id: 'user_1',
        name: 'Ada',
        metadata: { plan: 'pro', seats: 3 },
      });
      expect(polar.customers).toHaveLength(1);
      expect(polar.requests[0]).toMatchObject({ method: 'POST', path: '/v1/customers/', status: 201 });
    });

    it('creates a team customer with an owner', async () => {
      const res = await request(http)
        .post('/customers')
        .send({ type: 'team', name: 'Acme', owner: { email: 'boss@mailinator.com', name: 'Boss' } })
        .expect(201);
      expect(res.body).toMatchObject({ type: 'team', name: 'Acme' });
    });

    it('get and getByExternalId → the customer', async () => {
      const seeded = polar.seedCustomer({ email: 'b@mailinator.com', external_id: 'user_2' });
      await request(http)
        .get(`/customers/${seeded.id}`)
        .expect(200)
        .expect((res) => expect(res.body.id).toBe(seeded.id));
      await request(http)
        .get('/external-customers/user_2')
        .expect(200)
        .expect((res) => expect(res.body.id).toBe(seeded.id));
    });

    it('update and updateByExternalId → the changed customer', async () => {
      const seeded = polar.seedCustomer({ email: 'c@mailinator.com', external_id: 'user_3' });
      await request(http)
        .patch(`/customers/${seeded.id}`)
        .send({ name: 'Renamed' })
        .expect(200)
        .expect((res) => expect(res.body.name).toBe('Renamed'));
      await request(http)
        .patch('/external-customers/user_3')
        .send({
          metadata: { tier: 'gold' },
          billing_address: { country: 'FR', city: 'Paris' },
          tax_id: 'FR40303265045',
        })
        .expect(200)
        .expect((res) => expect(res.body.metadata).toEqual({ tier: 'gold' }));
    });

    it('delete and deleteByExternalId → 204, the customer is gone, listeners are told', async () => {
      const one = polar.seedCustomer({ email: 'd1@mailinator.com', external_id: 'user_4' });
      polar.seedCustomer({ email: 'd2@mailinator.com', external_id: 'user_5' });
      await request(http).delete(`/customers/${one.id}`).expect(204);
      await request(http).get(`/customers/${one.id}`).expect(404);
      await request(http).delete('/external-customers/user_5?anonymize=true').expect(204);
      await request(http).get('/external-customers/user_5').expect(404);
      const deletion = polar.requests.find((r) => r.method === 'DELETE' && r.path.includes('user_5'));
      expect(deletion?.query).toMatchObject({ anonymize: 'true' });
      expect(deletedEvents).toEqual([{ customer_id: one.id }, { external_customer_id: 'user_5' }]);
    });

    it('a failed delete tells no listener', async () => {
      await request(http).delete(`/customers/${UNKNOWN_ID}`).expect(404);
      expect(deletedEvents).toEqual([]);
    });

    it('list → one page with pagination, sorting and filters', async () => {
      for (const name of ['Cara', 'Abe', 'Bea'])
        polar.seedCustomer({ email: `${name.toLowerCase()}@mailinator.com`, name });
      const page = await request(http).get('/customers?limit=2&page=1&sorting=name').expect(200);
      expect(page.body.pagination).toEqual({ total_count: 3, max_page: 2 });
      expect(page.body.items.map((c: { name: string }) => c.name)).toEqual(['Abe', 'Bea']);
      const filtered = await request(http).get('/customers?email=BEA@mailinator.com').expect(200);
      expect(filtered.body.items.map((c: { name: string }) => c.name)).toEqual(['Bea']);
    });

    it('iterate → every customer across pages', async () => {
      for (let i = 0; i < 5; i++) polar.seedCustomer({ email: `it${i}@mailinator.com` });
      const res = await request(http).get('/all-customers?limit=2').expect(200);
      expect(res.body).toHaveLength(5);
      expect(polar.requests.filter((r) => r.path === '/v1/customers/')).toHaveLength(3);
    });

    it('getState and getStateByExternalId → the customer with empty state lists', async () => {
      const seeded = polar.seedCustomer({ email: 's@mailinator.com', external_id: 'user_6' });
      for (const path of [`/customers/${seeded.id}/state`, '/external-customers/user_6/state']) {
        const res = await request(http).get(path).expect(200);
        expect(res.body).toMatchObject({
          id: seeded.id,
          active_subscriptions: [],
          granted_benefits: [],
          active_meters: [],
        });
      }
    });
  });

  describe('ensure()', () => {
    it('returns an existing customer with one request and changes nothing', async () => {
      const seeded = polar.seedCustomer({ email: 'old@mailinator.com', external_id: 'user_7', name: 'Old' });
      const res = await request(http)
        .post('/customers/ensure')
        .send({ external_id: 'user_7', email: 'new@mailinator.com', name: 'New' })
        .expect(200);
      expect(res.body).toMatchObject({ id: seeded.id, email: 'old@mailinator.com', name: 'Old' });
      expect(polarCalls()).toEqual(['GET /v1/customers/external/user_7 200']);
    });

    it('creates a missing customer', async () => {
      const res = await request(http)
        .post('/customers/ensure')
        .send({ external_id: 'user_8', email: 'u8@mailinator.com', metadata: { source: 'signup' } })
        .expect(200);
      expect(res.body).toMatchObject({
        external_id: 'user_8',
        email: 'u8@mailinator.com',
        metadata: { source: 'signup' },
      });
      expect(polarCalls()).toEqual(['GET /v1/customers/external/user_8 404', 'POST /v1/customers/ 201']);
    });

    it('20 parallel calls → one customer, everyone gets it', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          request(http).post('/customers/ensure').send({ external_id: 'user_9', email: 'u9@mailinator.com' }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(polar.customers.filter((c) => c.external_id === 'user_9')).toHaveLength(1);
    });

    it('two separately built app instances racing → one customer, the 422 duplicate reconciled', async () => {
      const other = await another({});
      // Hold both lookups so both instances miss, then both create: one wins, the other gets 422.
      polar.faults.latency(1500, { path: '/v1/customers/external/', times: 2 });
      const body = { external_id: 'user_10', email: 'u10@mailinator.com' };
      const results = await Promise.all([
        request(http).post('/customers/ensure').send(body),
        request(other).post('/customers/ensure').send(body),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      expect(results[0].body.id).toBe(results[1].body.id);
      expect(polar.customers.filter((c) => c.external_id === 'user_10')).toHaveLength(1);
      const creates = polar.requests.filter((r) => r.method === 'POST').map((r) => r.status);
      expect(creates.sort()).toEqual([201, 422]);
    });

    it('an email owned by another external id → 422 duplicate, nothing changed', async () => {
      polar.seedCustomer({ email: 'taken@mailinator.com', external_id: 'someone_else' });
      const res = await request(http)
        .post('/customers/ensure')
        .send({ external_id: 'user_11', email: 'Taken@mailinator.com' })
        .expect(422);
      expect(res.body).toMatchObject({ code: 'polar_duplicate_customer', details: [{ loc: ['body', 'email'] }] });
      expect(res.body.message).toMatch(/another \(or no\) external ID/);
      expect(polar.customers.find((c) => c.email === 'taken@mailinator.com')?.external_id).toBe('someone_else');
    });
  });

  describe('SessionsService', () => {
    it('create by external id → the session with its portal URL', async () => {
      polar.seedCustomer({ email: 'p@mailinator.com', external_id: 'user_12' });
      const res = await request(http)
        .post('/sessions')
        .send({ external_customer_id: 'user_12', return_url: 'https://app.example.com/account' })
        .expect(201);
      expect(res.body.token).toMatch(/^polar_cst_/);
      expect(res.body.return_url).toBe('https://app.example.com/account');
      expect(res.body.customer_portal_url).toContain('customer_session_token=');
    });

    it('create by customer id → the session', async () => {
      const seeded = polar.seedCustomer({ email: 'q@mailinator.com' });
      const res = await request(http).post('/sessions').send({ customer_id: seeded.id }).expect(201);
      expect(res.body.customer_id).toBe(seeded.id);
    });
  });

  // The mapping does not depend on how the module was configured (lib/errors/polar-error.mapper.spec.ts
  // holds the table itself): it runs over HTTP once, through forRoot; the wiring above runs in every form.
  if (setup === 'forRoot') {
    describe('the error table', () => {
      it('404 ResourceNotFound → 404', async () => {
        const res = await request(http).get(`/customers/${UNKNOWN_ID}`).expect(404);
        expect(res.body).toEqual({
          statusCode: 404,
          error: 'Not Found',
          code: 'polar_not_found',
          message: 'Polar resource not found.',
        });
      });

      it('422 validation → 422 with Polar field details', async () => {
        // An organization token must not name an organization: only Polar knows that.
        const res = await request(http)
          .post('/customers')
          .send({ email: 'v@mailinator.com', organization_id: UNKNOWN_ID })
          .expect(422);
        expect(res.body.code).toBe('polar_validation_failed');
        expect(res.body.details).toEqual([expect.objectContaining({ loc: ['body', 'organization_id'] })]);
      });

      it('422 duplicate → 422 PolarDuplicateCustomerException', async () => {
        polar.seedCustomer({ email: 'dup@mailinator.com' });
        const res = await request(http).post('/customers').send({ email: 'dup@mailinator.com' }).expect(422);
        expect(res.body).toMatchObject({ code: 'polar_duplicate_customer', details: [{ loc: ['body', 'email'] }] });
      });

      it('422 "Customer does not exist." → 422 PolarUnknownCustomerException', async () => {
        const res = await request(http).post('/sessions').send({ external_customer_id: 'nobody' }).expect(422);
        expect(res.body).toMatchObject({
          code: 'polar_unknown_customer',
          details: [{ loc: ['body', 'external_customer_id'], msg: 'Customer does not exist.' }],
        });
      });

      it('409 → 409', async () => {
        polar.faults.failNext(1, 409, { path: '/v1/customer-sessions/' });
        const res = await request(http).post('/sessions').send({ external_customer_id: 'user_x' }).expect(409);
        expect(res.body.code).toBe('polar_conflict');
      });

      it('401 (wrong token) → 502 telling to check token, scopes and environment, without the token', async () => {
        const wrongToken = 'polar_oat_wrongwrongwrongwrongwrong';
        const server = await another({ accessToken: wrongToken });
        const res = await request(server).get(`/customers/${UNKNOWN_ID}`).expect(502);
        expect(res.body.code).toBe('polar_authentication_failed');
        expect(res.body.message).toMatch(/401 invalid_token.*token.*scopes.*environment/);
        expect(res.body.message).toContain(`configured: production (${polar.url})`);
        expect(JSON.stringify(res.body)).not.toContain(wrongToken);
        expect(JSON.stringify(res.body)).not.toContain(polar.accessToken);
      });

      it('403 (token lacks the scope) → 502', async () => {
        const scopeless = 'polar_oat_noscopesnoscopesnoscopes';
        polar.addToken(scopeless, []);
        const server = await another({ accessToken: scopeless });
        const res = await request(server).post('/customers').send({ email: 'z@mailinator.com' }).expect(502);
        expect(res.body.message).toMatch(/403 insufficient_scope/);
        expect(JSON.stringify(res.body)).not.toContain(scopeless);
      });

      it('429 → 503 with Retry-After; a write is not retried', async () => {
        polar.faults.failNext(1, 429);
        const res = await request(http).post('/customers').send({ email: 'r@mailinator.com' }).expect(503);
        expect(res.headers['retry-after']).toBe('60');
        expect(res.body).toMatchObject({ code: 'polar_rate_limited', retryAfter: 60 });
        expect(polarCalls()).toEqual(['POST /v1/customers/ 429']);
      });

      it('429 with a retry-after longer than the 3 s cap → a read answers 503 at once', async () => {
        polar.faults.failNext(1, 429);
        await request(http).get(`/customers/${UNKNOWN_ID}`).expect(503).expect('Retry-After', '60');
        expect(polar.requests).toHaveLength(1);
      });

      it("Polar's own rate limit → 503 with the window as Retry-After", async () => {
        const limited = await PolarEmulator.start({ rateLimit: { limit: 2, windowSeconds: 30 } });
        extraEmulators.push(limited);
        const server = await another({}, limited);
        await request(server).post('/customers').send({ email: 'l1@mailinator.com' }).expect(201);
        await request(server).post('/customers').send({ email: 'l2@mailinator.com' }).expect(201);
        const res = await request(server).post('/customers').send({ email: 'l3@mailinator.com' }).expect(503);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(30);
      });

      it('429 with a short retry-after → a read waits it out and succeeds', async () => {
        const shortWindow = await PolarEmulator.start({ rateLimit: { limit: 1000, windowSeconds: 1 } });
        extraEmulators.push(shortWindow);
        const server = await another({}, shortWindow);
        const seeded = shortWindow.seedCustomer({ email: 'wait@mailinator.com' });
        shortWindow.faults.failNext(1, 429);
        const started = Date.now();
        await request(server).get(`/customers/${seeded.id}`).expect(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(950);
        expect(shortWindow.requests.map((r) => r.status)).toEqual([429, 200]);
      });

      it.each([500, 502, 503])('%i → 502, reads retried readRetries times', async (status) => {
        polar.faults.forceStatus(status);
        const res = await request(http).get(`/customers/${UNKNOWN_ID}`).expect(502);
        expect(res.body).toMatchObject({ code: 'polar_upstream_error', message: `Polar answered ${status}.` });
        expect(polar.requests).toHaveLength(3);
      });

      it('5xx on a write → 502 after one request', async () => {
        polar.faults.forceStatus(500);
        await request(http).post('/customers').send({ email: 'w@mailinator.com' }).expect(502);
        expect(polar.requests).toHaveLength(1);
      });

      it('a transient 503 on a read is retried and succeeds', async () => {
        const seeded = polar.seedCustomer({ email: 't@mailinator.com' });
        polar.faults.failNext(1, 503);
        await request(http).get(`/customers/${seeded.id}`).expect(200);
        expect(polarCalls()).toEqual([`GET /v1/customers/${seeded.id} 503`, `GET /v1/customers/${seeded.id} 200`]);
      });

      it('timeout → 504', async () => {
        const server = await another({ timeoutMs: 300 });
        polar.faults.latency(3_000);
        const started = Date.now();
        const res = await request(server).get(`/customers/${UNKNOWN_ID}`).expect(504);
        expect(res.body.code).toBe('polar_timeout');
        // Answered long before the emulator would have: the timeout is not retried.
        expect(Date.now() - started).toBeLessThan(2_500);
      });

      it('network failure (connection reset) → 502', async () => {
        polar.faults.resetConnection();
        const res = await request(http).get(`/customers/${UNKNOWN_ID}`).expect(502);
        expect(res.body).toMatchObject({ code: 'polar_upstream_error', message: 'Polar could not be reached.' });
      });

      it('malformed body → 502', async () => {
        const seeded = polar.seedCustomer({ email: 'm@mailinator.com' });
        polar.faults.malformedJson();
        const res = await request(http).get(`/customers/${seeded.id}`).expect(502);
        expect(res.body).toMatchObject({
          code: 'polar_upstream_error',
          message: 'Polar answered with a malformed body.',
        });
      });
    });
  }
});
