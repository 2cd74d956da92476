import { HttpException, HttpStatus } from '@nestjs/common';
import request from 'supertest';
import type { PolarPortalCustomer } from '../../lib/interfaces/polar-customer-resolver.interface.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, as, createPortalApp, type PortalApp } from './portal-test-app.js';

const TIMEOUT_MS = 400;

let polar: PolarEmulator;
let team: PolarEmulator;
let current: PortalApp | undefined;

beforeAll(async () => {
  [polar, team] = await Promise.all([PolarEmulator.start(), PolarEmulator.start({ memberModel: true })]);
});
afterAll(async () => {
  await Promise.all([polar.stop(), team.stop()]);
});
beforeEach(() => {
  polar.reset();
  team.reset();
});
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const calls = (emulator: PolarEmulator) => emulator.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

describe.each(ADAPTERS)('portal failures on %s', (adapter) => {
  describe('an unknown customer', () => {
    it('is 404 with a message that says what to do (Polar says 422)', async () => {
      current = await createPortalApp({ adapter, polar });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'polar_portal_unknown_customer' });
      expect(response.body.message).toMatch(/No Polar customer matches this user/);
      expect(response.body.message).toMatch(/createCustomerIfMissing/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(calls(polar)).toEqual(['POST /v1/customer-sessions/ 422']);
    });

    it('is 404 by Polar customer id too', async () => {
      current = await createPortalApp({
        adapter,
        polar,
        portal: { customer: () => ({ customerId: '7a1c2f0e-5b0e-4c8e-9d5a-2b1f3c4d5e6f' }) },
      });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(404);
      expect(response.body.message).toMatch(/by customer_id/);
    });
  });

  describe('createCustomerIfMissing', () => {
    it('creates a first-time user through ensure, then opens the portal', async () => {
      current = await createPortalApp({ adapter, polar, portal: { createCustomerIfMissing: true } });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(response.headers.location).toContain('email=alice%40mailinator.com');
      expect(polar.customers).toEqual([
        expect.objectContaining({ external_id: 'user-alice', email: 'alice@mailinator.com', name: 'Alice' }),
      ]);
      expect(calls(polar)).toEqual([
        'POST /v1/customer-sessions/ 422',
        'GET /v1/customers/external/user-alice 404',
        'POST /v1/customers/ 201',
        'POST /v1/customer-sessions/ 201',
      ]);

      polar.clearRequests();
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(calls(polar)).toEqual(['POST /v1/customer-sessions/ 201']);
    });

    it('does not touch an existing customer', async () => {
      polar.seedCustomer({ external_id: 'user-alice', email: 'old-alice@mailinator.com', name: 'Old' });
      current = await createPortalApp({ adapter, polar, portal: { createCustomerIfMissing: true } });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(calls(polar)).toEqual(['POST /v1/customer-sessions/ 201']);
      expect(polar.customers[0]).toMatchObject({ email: 'old-alice@mailinator.com', name: 'Old' });
    });

    it('without an email it cannot create: 404 saying so', async () => {
      current = await createPortalApp({ adapter, polar, portal: { createCustomerIfMissing: true } });
      const response = await request(current.server).get('/billing/portal').set(as('noEmail')).expect(404);
      expect(response.body.message).toMatch(/returned no email/);
      expect(polar.customers).toEqual([]);
    });

    it('an email taken by another customer is a 422 duplicate, not a 500', async () => {
      polar.seedCustomer({ external_id: 'someone-else', email: 'alice@mailinator.com' });
      current = await createPortalApp({ adapter, polar, portal: { createCustomerIfMissing: true } });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(422);
      expect(response.body).toMatchObject({ code: 'polar_duplicate_customer' });
    });

    it('is off by default: nothing is created', async () => {
      current = await createPortalApp({ adapter, polar });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(404);
      expect(polar.customers).toEqual([]);
    });
  });

  describe('team customers (member model)', () => {
    const teamResolver =
      (member: Partial<PolarPortalCustomer>) =>
      (req: { user?: unknown }): PolarPortalCustomer | null =>
        req.user ? ({ externalCustomerId: 'team-acme', ...member } as PolarPortalCustomer) : null;

    let memberId: string;

    beforeEach(() => {
      const customer = team.seedCustomer({
        type: 'team',
        external_id: 'team-acme',
        email: null,
        name: 'Acme',
        owner: { email: 'owner@mailinator.com' },
      });
      memberId = team.seedMember(customer.id, { external_id: 'user-alice', email: 'alice@mailinator.com' }).id;
    });

    it('the external member reaches Polar and opens a member session', async () => {
      current = await createPortalApp({
        adapter,
        polar: team,
        portal: { customer: teamResolver({ externalMemberId: 'user-alice' }) },
      });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(response.headers.location).toMatch(/customer_session_token=polar_mst_/);
      expect(response.headers.location).toContain('email=alice%40mailinator.com');
      expect(team.requests[0]!.body).toEqual({ external_customer_id: 'team-acme', external_member_id: 'user-alice' });
    });

    it('the Polar member id reaches Polar', async () => {
      current = await createPortalApp({ adapter, polar: team, portal: { customer: teamResolver({ memberId }) } });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
      expect(team.requests[0]!.body).toEqual({ external_customer_id: 'team-acme', member_id: memberId });
    });

    it('without a member it is a clear 422 naming memberId / externalMemberId', async () => {
      current = await createPortalApp({ adapter, polar: team, portal: { customer: teamResolver({}) } });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(422);
      expect(response.body).toMatchObject({ code: 'polar_portal_member_required' });
      expect(response.body.message).toMatch(/team customer/);
      expect(response.body.message).toMatch(/member_id or external_member_id/);
    });

    it('an unknown member is 404', async () => {
      current = await createPortalApp({
        adapter,
        polar: team,
        portal: { customer: teamResolver({ externalMemberId: 'nobody' }) },
      });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(404);
      expect(response.body).toMatchObject({ code: 'polar_portal_unknown_member' });
    });
  });

  describe('Polar failing', () => {
    beforeEach(async () => {
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
      current = await createPortalApp({ adapter, polar, timeoutMs: TIMEOUT_MS });
    });

    const open = () => request(current!.server).get('/billing/portal').set(as('alice'));

    it('latency past the timeout is 504, answered in bounded time', async () => {
      polar.faults.latency(TIMEOUT_MS * 4);
      const started = Date.now();
      const response = await open().expect(504);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
      expect(response.body).toMatchObject({ statusCode: 504, code: 'polar_timeout' });
    });

    it('a request Polar never answers is 504, not a hung request', async () => {
      polar.faults.hang();
      const started = Date.now();
      await open().expect(504);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
    });

    it('a 500 is 502', async () => {
      polar.faults.forceStatus(500);
      const response = await open().expect(502);
      expect(response.body).toMatchObject({ statusCode: 502, code: 'polar_upstream_error' });
    });

    it('a plain-text 503 from a gateway is 502', async () => {
      polar.faults.forceStatus(503);
      await open().expect(502);
    });

    it('a 429 is 503 with Retry-After', async () => {
      polar.faults.forceStatus(429);
      const response = await open().expect(503);
      expect(response.body).toMatchObject({ statusCode: 503, code: 'polar_rate_limited' });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(response.headers['retry-after']).toBe(String(response.body.retryAfter));
    });

    it('a reset connection is 502', async () => {
      polar.faults.resetConnection();
      const response = await open().expect(502);
      expect(response.body).toMatchObject({ code: 'polar_upstream_error' });
    });

    it('a malformed body is 502', async () => {
      polar.faults.malformedJson();
      await open().expect(502);
    });

    it('a refused server token is 502 telling to check the token, without the token', async () => {
      polar.faults.forceStatus(401);
      const response = await open().expect(502);
      expect(response.body.message).toMatch(/access token/);
      expect(JSON.stringify(response.body)).not.toContain(polar.accessToken);
    });

    it('recovers once Polar is back', async () => {
      polar.faults.failNext(1, 500);
      await open().expect(502);
      await open().expect(303);
    });
  });

  describe('a throwing resolver', () => {
    it('answers a clean 500, logs the cause, and the app keeps serving', async () => {
      let calls = 0;
      polar.seedCustomer({ external_id: 'user-alice', email: 'alice@mailinator.com' });
      current = await createPortalApp({
        adapter,
        polar,
        portal: {
          customer: async (req: { user?: { id: string } }) => {
            calls += 1;
            if (calls === 1) throw new Error('user store is down');
            return req.user ? { externalCustomerId: req.user.id } : null;
          },
        },
      });
      const failed = await request(current.server).get('/billing/portal').set(as('alice')).expect(500);
      expect(failed.body).toMatchObject({ statusCode: 500, code: 'polar_portal_resolver_failed' });
      expect(failed.body.message).toMatch(/customer resolver failed/);
      expect(failed.body.message).not.toMatch(/user store is down/);
      expect(current.logger.text()).toMatch(/user store is down/);
      expect(polar.requests).toEqual([]);

      await request(current.server).get('/billing/portal').set(as('alice')).expect(303);
    });

    it('a synchronous throw is handled the same way', async () => {
      current = await createPortalApp({
        adapter,
        polar,
        portal: {
          customer: () => {
            throw new TypeError("Cannot read properties of undefined (reading 'id')");
          },
        },
      });
      await request(current.server).get('/billing/portal').set(as('alice')).expect(500);
      await request(current.server).get('/billing/portal').set(as('alice')).expect(500);
    });

    it('an HttpException from the resolver keeps its status', async () => {
      current = await createPortalApp({
        adapter,
        polar,
        portal: {
          customer: () => {
            throw new HttpException('Billing is managed by your workspace admin', HttpStatus.FORBIDDEN);
          },
        },
      });
      const response = await request(current.server).get('/billing/portal').set(as('alice')).expect(403);
      expect(response.body.message).toBe('Billing is managed by your workspace admin');
    });
  });
});
