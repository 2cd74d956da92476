import { randomUUID } from 'node:crypto';
import { detailOf, failureOf, type EmulatorFixture } from './helpers.js';
import { billingSuite } from './billing-suite.js';

/*
 * Customer seats as Polar's `customer_seat` service keeps them: assigned to an email, an existing customer or a
 * member, claimed with the invitation token (or at once), revoked; the product's benefits go to the seat's
 * occupant, not to the buyer. Both of Polar's models: without the member model the occupant is a customer of its
 * own; with it, a member of the buying (team) customer whose grants carry `member_id`. Every call goes over HTTP
 * through the official SDK; every webhook is checked against the spec's schema.
 */

const SCHEMA_CHECK_MS = 30_000;

for (const memberModel of [false, true]) {
  describe(`emulator: customer seats (member model ${memberModel ? 'on' : 'off'})`, () => {
    const suite = billingSuite({ memberModel }, 'customer_seat.claimed');
    const { delivered, expectSpecPayloads } = suite;
    let f: EmulatorFixture;
    beforeEach(() => ({ f } = suite));

    /** A team plan with a benefit, bought with `seats` seats by a fresh customer. */
    async function team(seats = 2) {
      const benefit = await f.sdk.benefits.create({ type: 'custom', description: 'Team features', properties: {} });
      const product = await f.sdk.products.create({
        name: 'Team',
        recurring_interval: 'month',
        prices: [{ amount_type: 'seat_based', seat_tiers: { tiers: [{ min_seats: 1, price_per_seat: 1000 }] } }],
      });
      await f.sdk.products.updateBenefits(product.id, { benefits: [benefit.id] });
      const lead = `lead-${randomUUID().slice(0, 8)}@mailinator.com`;
      const checkout = await f.sdk.checkouts.create({ products: [product.id], customer_email: lead, seats });
      f.polar.billing.pay(checkout.id);
      const paid = await f.sdk.checkouts.get(checkout.id);
      return { benefit, product, subscriptionId: paid.subscription_id!, buyerId: paid.customer_id! };
    }

    const grantedIds = async (customerId: string) =>
      (await f.sdk.customers.getState(customerId)).granted_benefits.map((grant) => grant.benefit_id);

    it('the buyer of seats gets no benefits and becomes a team customer; the seats are listed as free', async () => {
      const { subscriptionId, buyerId } = await team(3);
      expect(await grantedIds(buyerId)).toEqual([]);
      expect((await f.sdk.customers.get(buyerId)).type).toBe('team');
      expect(await f.sdk.customerSeats.listSeats({ subscription_id: subscriptionId })).toEqual({
        seats: [],
        available_seats: 3,
        total_seats: 3,
      });
    });

    it(
      'assign by email → pending with an invitation; claim with the token → the occupant holds the benefits; ' +
        'revoke → they lose them',
      async () => {
        const { benefit, product, subscriptionId, buyerId } = await team();
        const seat = await f.sdk.customerSeats.assignSeat({
          subscription_id: subscriptionId,
          email: 'grace@mailinator.com',
          metadata: { team: 'core' },
        });
        expect(seat).toMatchObject({
          subscription_id: subscriptionId,
          order_id: null,
          status: 'pending',
          email: 'grace@mailinator.com',
          seat_metadata: { team: 'core' },
          claimed_at: null,
          revoked_at: null,
        });
        expect(seat.invitation_token_expires_at).not.toBeNull();
        expect(seat).not.toHaveProperty('invitation_token');
        // The member is made under the buyer either way; the seat's customer is the buyer (member model) or the
        // occupant's own new customer (legacy).
        expect(seat.member).toMatchObject({ customer_id: buyerId, email: 'grace@mailinator.com', role: 'member' });
        const occupantId = seat.customer_id!;
        if (memberModel) expect(occupantId).toBe(buyerId);
        else expect(occupantId).not.toBe(buyerId);
        expect(await grantedIds(occupantId)).toEqual([]);
        expect(await f.sdk.customerSeats.listSeats({ subscription_id: subscriptionId })).toMatchObject({
          available_seats: 1,
          total_seats: 2,
        });

        const token = f.polar.billing.seatInvitationToken(seat.id);
        expect(await f.sdk.customerSeats.getClaimInfo(token)).toEqual({
          product_name: 'Team',
          product_id: product.id,
          organization_name: 'emulator-org',
          organization_slug: 'emulator-org',
          customer_email: 'grace@mailinator.com',
          can_claim: true,
        });
        const claimed = await f.sdk.customerSeats.claimSeat({ invitation_token: token });
        expect(claimed.seat).toMatchObject({ id: seat.id, status: 'claimed', member_id: seat.member_id });
        expect(claimed.customer_session_token).toMatch(/^polar_mst_/);
        expect(await grantedIds(occupantId)).toEqual([benefit.id]);
        const grant = f.polar.billing.benefitGrants.find((g) => g.benefit_id === benefit.id)!;
        expect(grant).toMatchObject({
          customer_id: occupantId,
          member_id: seat.member_id,
          subscription_id: subscriptionId,
        });
        // The token is single-use.
        expect(await failureOf(f.sdk.customerSeats.claimSeat({ invitation_token: token }))).toEqual({
          status: 400,
          body: { error: 'InvalidInvitationToken', detail: 'Invalid or expired invitation token' },
        });
        expect(await failureOf(f.sdk.customerSeats.getClaimInfo(token))).toEqual({
          status: 404,
          body: { error: 'ResourceNotFound', detail: 'Invalid or expired invitation token' },
        });

        const revoked = await f.sdk.customerSeats.revokeSeat(seat.id);
        expect(revoked).toMatchObject({ status: 'revoked', customer_id: null, member_id: null, email: null });
        expect(await grantedIds(occupantId)).toEqual([]);
        expect(await delivered()).toEqual(
          expect.arrayContaining([
            'customer_seat.assigned',
            'customer_seat.claimed',
            'benefit_grant.created',
            'customer_seat.revoked',
            'benefit_grant.revoked',
            'customer.state_changed',
          ]),
        );
        const order = (await delivered()).filter((type) => type.startsWith('customer_seat.'));
        expect(order).toEqual(['customer_seat.assigned', 'customer_seat.claimed', 'customer_seat.revoked']);
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it('immediate_claim skips the invitation; a revoked seat is reused by the next assignment', async () => {
      const { benefit, subscriptionId } = await team(1);
      const seat = await f.sdk.customerSeats.assignSeat({
        subscription_id: subscriptionId,
        email: 'ada@mailinator.com',
        immediate_claim: true,
      });
      expect(seat).toMatchObject({ status: 'claimed', invitation_token_expires_at: null });
      expect(await grantedIds(seat.customer_id!)).toEqual([benefit.id]);
      expect(await failureOf(f.sdk.customerSeats.resendInvitation(seat.id))).toEqual({
        status: 400,
        body: { error: 'SeatNotPending', detail: 'Seat is not in pending status' },
      });
      await f.sdk.customerSeats.revokeSeat(seat.id);
      const again = await f.sdk.customerSeats.assignSeat({
        subscription_id: subscriptionId,
        email: 'bob@mailinator.com',
      });
      expect(again).toMatchObject({ id: seat.id, status: 'pending', revoked_at: null, email: 'bob@mailinator.com' });
      expect((await f.sdk.customerSeats.resendInvitation(again.id)).id).toBe(seat.id);
    });

    it('a one-time seat purchase: its order carries the seats, assigned by order_id, granted with the order', async () => {
      const benefit = await f.sdk.benefits.create({ type: 'custom', description: 'Workshop', properties: {} });
      const product = await f.sdk.products.create({
        name: 'Workshop seats',
        prices: [{ amount_type: 'seat_based', seat_tiers: { tiers: [{ min_seats: 1, price_per_seat: 500 }] } }],
      });
      await f.sdk.products.updateBenefits(product.id, { benefits: [benefit.id] });
      const checkout = await f.sdk.checkouts.create({
        products: [product.id],
        customer_email: 'org@mailinator.com',
        seats: 2,
      });
      f.polar.billing.pay(checkout.id);
      const order = f.polar.billing.orders.find((o) => o.checkout_id === checkout.id)!;
      expect(order).toMatchObject({ seats: 2, subscription_id: null });
      const seat = await f.sdk.customerSeats.assignSeat({
        order_id: order.id,
        email: 'attendee@mailinator.com',
        immediate_claim: true,
      });
      expect(seat).toMatchObject({ order_id: order.id, subscription_id: null, status: 'claimed' });
      expect(await grantedIds(seat.customer_id!)).toEqual([benefit.id]);
      expect(f.polar.billing.benefitGrants.find((g) => g.benefit_id === benefit.id)).toMatchObject({
        order_id: order.id,
        member_id: seat.member_id,
      });
      expect(await f.sdk.customerSeats.listSeats({ order_id: order.id })).toMatchObject({
        available_seats: 1,
        total_seats: 2,
      });
    });

    it('a revoked subscription revokes its seats and their grants', async () => {
      const { benefit, subscriptionId } = await team(2);
      const seat = await f.sdk.customerSeats.assignSeat({
        subscription_id: subscriptionId,
        email: 'ada@mailinator.com',
        immediate_claim: true,
      });
      expect(await grantedIds(seat.customer_id!)).toEqual([benefit.id]);
      await f.sdk.subscriptions.revoke(subscriptionId);
      const { seats } = await f.sdk.customerSeats.listSeats({ subscription_id: subscriptionId });
      expect(seats.map((s) => s.status)).toEqual(['revoked']);
      expect(await grantedIds(seat.customer_id!)).toEqual([]);
      expect((await delivered()).filter((type) => type === 'customer_seat.revoked')).toHaveLength(1);
    });

    it('Polar refuses: no free seat, fewer seats than assigned, a second seat for the same person, a subscription without seats', async () => {
      const { subscriptionId } = await team(1);
      await f.sdk.customerSeats.assignSeat({ subscription_id: subscriptionId, email: 'ada@mailinator.com' });
      expect(
        await failureOf(
          f.sdk.customerSeats.assignSeat({ subscription_id: subscriptionId, email: 'bob@mailinator.com' }),
        ),
      ).toEqual({
        status: 400,
        body: { error: 'SeatNotAvailable', detail: `No available seats for ${subscriptionId}` },
      });

      const held = await team(3);
      await f.sdk.customerSeats.assignSeat({ subscription_id: held.subscriptionId, email: 'ada@mailinator.com' });
      await f.sdk.customerSeats.assignSeat({ subscription_id: held.subscriptionId, email: 'bob@mailinator.com' });
      expect(await failureOf(f.sdk.subscriptions.update(held.subscriptionId, { seats: 1 }))).toEqual({
        status: 400,
        body: {
          error: 'SeatsAlreadyAssigned',
          detail: 'Cannot decrease seats to 1. Currently 2 seats are assigned. Revoke seats first.',
        },
      });

      const bigger = await team(3);
      await f.sdk.customerSeats.assignSeat({ subscription_id: bigger.subscriptionId, email: 'ada@mailinator.com' });
      const twice = await failureOf(
        f.sdk.customerSeats.assignSeat({ subscription_id: bigger.subscriptionId, email: 'ada@mailinator.com' }),
      );
      expect(twice).toEqual({
        status: 400,
        body: { error: 'SeatAlreadyAssigned', detail: 'Seat already assigned to customer ada@mailinator.com' },
      });

      const solo = await f.sdk.products.create({
        name: 'Solo',
        recurring_interval: 'month',
        prices: [{ amount_type: 'fixed', price_amount: 900 }],
      });
      const customer = await f.sdk.customers.create({ email: 'solo@mailinator.com' });
      const { subscription } = f.polar.billing.purchase({ customer, product: solo });
      expect(
        await failureOf(
          f.sdk.customerSeats.assignSeat({ subscription_id: subscription!.id, email: 'x@mailinator.com' }),
        ),
      ).toEqual({
        status: 400,
        body: { error: 'SeatNotAvailable', detail: `No available seats for ${subscription!.id}` },
      });
    });

    it('unknown subscription, seat or customer → 404 with what is missing', async () => {
      const unknown = randomUUID();
      expect(
        await failureOf(f.sdk.customerSeats.assignSeat({ subscription_id: unknown, email: 'a@mailinator.com' })),
      ).toEqual({
        status: 404,
        body: { error: 'ResourceNotFound', detail: 'Subscription not found' },
      });
      expect(await failureOf(f.sdk.customerSeats.listSeats({ order_id: unknown }))).toEqual({
        status: 404,
        body: { error: 'ResourceNotFound', detail: 'Order not found' },
      });
      expect(await failureOf(f.sdk.customerSeats.revokeSeat(unknown))).toEqual({
        status: 404,
        body: { error: 'ResourceNotFound', detail: 'Seat not found' },
      });
      const { subscriptionId } = await team();
      const missing = await failureOf(
        f.sdk.customerSeats.assignSeat({ subscription_id: subscriptionId, external_customer_id: 'nobody' }),
      );
      expect(missing).toEqual(
        memberModel
          ? {
              status: 400,
              body: {
                error: 'InvalidSeatAssignmentRequest',
                detail: 'Customer not found for the provided customer_id or external_customer_id.',
              },
            }
          : { status: 404, body: { error: 'CustomerNotFound', detail: 'Customer not found: nobody' } },
      );
      expect(
        await failureOf(f.sdk.customerSeats.assignSeat({ subscription_id: subscriptionId, member_id: unknown })),
      ).toEqual({ status: 404, body: { error: 'MemberNotFound', detail: `Member not found: ${unknown}` } });
    });

    it('a malformed body → 422 as pydantic words SeatAssign (fields, then its model rules)', async () => {
      const subscription_id = randomUUID();
      const fields = await detailOf(
        f.sdk.customerSeats.assignSeat({
          subscription_id: 'nope',
          email: 'not-an-email',
          metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i])),
        }),
      );
      expect(fields.detail.map((d) => [d.type, d.loc])).toEqual([
        ['uuid_parsing', ['body', 'subscription_id']],
        ['value_error', ['body', 'email']],
        ['value_error', ['body', 'metadata']],
      ]);
      expect(fields.detail[2]!.msg).toBe('Value error, Metadata cannot have more than 10 keys');
      const rule = async (body: Record<string, unknown>) =>
        (await detailOf(f.sdk.customerSeats.assignSeat(body as never))).detail.map((d) => [d.loc, d.msg]);
      expect(await rule({ email: 'a@mailinator.com' })).toEqual([
        [['body'], 'Value error, Exactly one of subscription_id or order_id must be provided'],
      ]);
      expect(await rule({ subscription_id })).toEqual([
        [
          ['body'],
          'Value error, At least one of email, external_customer_id, customer_id, external_member_id, or member_id must be provided',
        ],
      ]);
      expect(await rule({ subscription_id, customer_id: randomUUID(), member_id: randomUUID() })).toEqual([
        [['body'], 'Value error, Cannot combine external_customer_id/customer_id with external_member_id/member_id'],
      ]);
      expect(await rule({ subscription_id, email: 'a@mailinator.com', customer_id: randomUUID() })).toEqual([
        [['body'], 'Value error, Exactly one of email, external_customer_id, or customer_id must be provided'],
      ]);
      expect(await rule({ subscription_id, email: 'a@mailinator.com', member_id: randomUUID() })).toEqual([
        [['body'], 'Value error, Cannot combine member_id with email'],
      ]);
      expect((await detailOf(f.sdk.customerSeats.claimSeat({} as never))).detail).toEqual([
        { type: 'missing', loc: ['body', 'invitation_token'], msg: 'Field required', input: {} },
      ]);
    });

    if (memberModel) {
      it('with the member model a seat can go to an existing member by external_member_id', async () => {
        const { benefit, subscriptionId, buyerId } = await team();
        const member = await f.sdk.customers.members.create(buyerId, {
          email: 'mia@mailinator.com',
          external_id: 'u-mia',
        });
        const seat = await f.sdk.customerSeats.assignSeat({
          subscription_id: subscriptionId,
          external_member_id: 'u-mia',
          immediate_claim: true,
        });
        expect(seat).toMatchObject({ customer_id: buyerId, member_id: member.id, email: 'mia@mailinator.com' });
        expect(await grantedIds(buyerId)).toEqual([benefit.id]);
        const mismatch = await failureOf(
          f.sdk.customerSeats.assignSeat({
            subscription_id: subscriptionId,
            external_member_id: 'u-mia',
            email: 'other@mailinator.com',
          }),
        );
        expect(mismatch).toEqual({
          status: 400,
          body: {
            error: 'MemberEmailMismatch',
            detail:
              "Member with external_member_id 'u-mia' exists but has a different email than 'other@mailinator.com'",
          },
        });
      });
    }
  });
}
