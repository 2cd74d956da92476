import { createPolar } from '@polar-sh/sdk/2026-10';
import { PolarCustomerStateService } from '../../lib/index.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type PolarTestApp } from '../support/polar-app.js';
import { type RunningRedis, describeWithRedisServer, startRedisServer } from '../webhooks/redis-server.js';
import { eventually, msUntil, startEntitlementsApp, startSharedPair, visit } from './entitlements-app.js';

/*
 * Team customers checked per member, as Polar models seats (member model on): the seat-based plan's benefits are
 * granted to the member holding a seat, so a guard on a member reads that member's grants, not the whole team's.
 */

type Admin = ReturnType<typeof createPolar>;

/** A seat-based plan with one benefit, on an emulator with the member model. */
async function seatPlan(polar: PolarEmulator, admin: Admin) {
  const benefit = await admin.benefits.create({ type: 'custom', description: 'Team features', properties: {} });
  const product = polar.billing.seedProduct({
    name: 'Team monthly',
    recurring_interval: 'month',
    prices: [{ amount_type: 'seat_based', seat_tiers: { tiers: [{ min_seats: 1, price_per_seat: 1000 }] } }],
    benefits: [benefit.id],
  });
  return { benefit, product };
}

/** A team that bought `seats` seats of the plan; its members Ada and Bob (no seat yet). */
async function team(polar: PolarEmulator, admin: Admin, productId: string, name: string, seats = 2) {
  const lead = await admin.customers.create({ email: `${name}-lead@mailinator.com` });
  const checkout = await admin.checkouts.create({ products: [productId], customer_id: lead.id, seats });
  polar.billing.pay(checkout.id);
  const subscriptionId = (await admin.checkouts.get(checkout.id)).subscription_id!;
  const ada = await admin.customers.members.create(lead.id, { email: `${name}-ada@mailinator.com` });
  const bob = await admin.customers.members.create(lead.id, { email: `${name}-bob@mailinator.com` });
  await polar.waitForWebhooks();
  return { teamId: lead.id, subscriptionId, ada, bob };
}

describe.each(ADAPTERS)('entitlement guards on team members (seats) over %s', (adapter) => {
  let polar: PolarEmulator;
  let admin: Admin;
  let web: PolarTestApp & { stop: () => Promise<void> };
  let productId: string;

  beforeAll(async () => {
    polar = await PolarEmulator.start({ memberModel: true });
    admin = createPolar({ accessToken: polar.accessToken, baseUrl: polar.url });
    const plan = await seatPlan(polar, admin);
    productId = plan.product.id;
    web = await startEntitlementsApp({ adapter, polar, productIds: [productId], benefitId: plan.benefit.id });
  });

  afterAll(async () => {
    await web?.stop();
    await polar?.stop();
  });

  it('a member without a seat → 402 seat_required; assigned a seat → allowed after the webhooks; revoked → 402 again', async () => {
    const { teamId, subscriptionId, ada, bob } = await team(polar, admin, productId, `seats-${adapter}`);
    // The team as a whole (no member signed in) is subscribed.
    expect((await visit(web, '/app/pro', teamId)).status).toBe(200);
    const refused = await visit(web, '/app/pro', teamId, 'application/json', ada.id);
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ code: 'seat_required', plan: null, checkout_url: null });
    expect(refused.body.message).toMatch(/seat/);
    // Seats bought grant the buyer nothing: until someone claims a seat nobody in the team holds the benefit.
    expect((await visit(web, '/app/feature', teamId, 'application/json', ada.id)).body.code).toBe('benefit_required');

    const seat = await admin.customerSeats.assignSeat({ subscription_id: subscriptionId, member_id: ada.id });
    await polar.waitForWebhooks();
    // Pending: the invitation is not claimed yet, so nothing is granted.
    expect((await visit(web, '/app/pro', teamId, 'application/json', ada.id)).status).toBe(402);
    await admin.customerSeats.claimSeat({ invitation_token: polar.billing.seatInvitationToken(seat.id) });
    await polar.waitForWebhooks();
    await eventually(async () =>
      expect((await visit(web, '/app/pro', teamId, 'application/json', ada.id)).status).toBe(200),
    );
    expect((await visit(web, '/app/feature', teamId, 'application/json', ada.id)).status).toBe(200);
    // Bob shares the team but holds no seat.
    expect((await visit(web, '/app/feature', teamId, 'application/json', bob.id)).body.code).toBe('seat_required');
    const state = await web.app.get(PolarCustomerStateService).get({ customer_id: teamId });
    expect(state.forMember({ member_id: ada.id }).subscribed('pro')).toBe(true);
    expect(state.forMember({ member_id: bob.id }).subscribed('pro')).toBe(false);

    polar.clearRequests();
    for (let i = 0; i < 10; i++)
      expect((await visit(web, '/app/pro', teamId, 'application/json', ada.id)).status).toBe(200);
    expect(polar.requests).toHaveLength(0);

    await admin.customerSeats.revokeSeat(seat.id);
    await polar.waitForWebhooks();
    await eventually(async () =>
      expect((await visit(web, '/app/pro', teamId, 'application/json', ada.id)).body.code).toBe('seat_required'),
    );
    expect((await visit(web, '/app/feature', teamId, 'application/json', ada.id)).status).toBe(402);
  });

  it('a team with no plan at all → the member gets the usual subscription_required, with the checkout', async () => {
    const lead = await admin.customers.create({ email: `empty-${adapter}@mailinator.com`, type: 'team' });
    const member = await admin.customers.members.create(lead.id, { email: `empty-${adapter}-m@mailinator.com` });
    const res = await visit(web, '/app/pro', lead.id, 'application/json', member.id);
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({
      code: 'subscription_required',
      plan: 'pro',
      checkout_url: '/billing/checkout/pro',
    });
  });
});

const describeWithRedis = describeWithRedisServer('the two-instance seat entitlement test');

describeWithRedis.each(ADAPTERS)('team members across two instances sharing Redis over %s', (adapter) => {
  let redis: RunningRedis;
  let polar: PolarEmulator;

  beforeAll(async () => {
    redis = await startRedisServer();
    polar = await PolarEmulator.start({ memberModel: true });
  });

  afterAll(async () => {
    await polar?.stop();
    await redis?.stop();
  });

  it('the instance that got no webhook sees a claimed seat, then its revocation, within 1 s', async () => {
    const admin = createPolar({ accessToken: polar.accessToken, baseUrl: polar.url });
    const { benefit, product } = await seatPlan(polar, admin);
    const { b, stop } = await startSharedPair(
      { adapter, polar, productIds: [product.id], benefitId: benefit.id },
      redis.url,
    );
    try {
      const { teamId, subscriptionId, ada } = await team(polar, admin, product.id, `redis-${adapter}`);
      expect((await visit(b, '/app/pro', teamId, 'application/json', ada.id)).status).toBe(402);
      const seat = await admin.customerSeats.assignSeat({
        subscription_id: subscriptionId,
        member_id: ada.id,
        immediate_claim: true,
      });
      await polar.waitForWebhooks();
      const claimed = Date.now();
      await msUntil(() => visit(b, '/app/pro', teamId, 'application/json', ada.id), 200);
      expect(Date.now() - claimed).toBeLessThanOrEqual(1000);

      await admin.customerSeats.revokeSeat(seat.id);
      await polar.waitForWebhooks();
      const revoked = Date.now();
      await msUntil(() => visit(b, '/app/pro', teamId, 'application/json', ada.id), 402);
      expect(Date.now() - revoked).toBeLessThanOrEqual(1000);
    } finally {
      await stop();
    }
  });
});
