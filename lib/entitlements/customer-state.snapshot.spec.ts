import {
  diffSnapshots,
  entitlingSubscriptions,
  isEmptyDiff,
  isSnapshot,
  memberSnapshot,
  onGracePeriod,
  onTrial,
  pastDue,
  snapshotOf,
  subscriptionRefusal,
} from './customer-state.snapshot.js';

const PRO = '11111111-1111-4111-8111-111111111111';
const TEAM = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2026-12-02T12:00:00Z');

function sub(overrides: Record<string, unknown>) {
  return {
    id: `sub-${String(overrides['status'] ?? 'active')}-${String(overrides['product_id'] ?? PRO)}`,
    status: 'active',
    product_id: PRO,
    current_period_end: '2026-12-31T00:00:00Z',
    trial_end: null,
    cancel_at_period_end: false,
    ends_at: null,
    ...overrides,
  };
}

const state = (subscriptions: unknown[], benefits: unknown[] = []) => ({
  id: 'C0FFEE00-0000-4000-8000-000000000000',
  external_id: 'user_1',
  type: 'individual',
  active_subscriptions: subscriptions,
  granted_benefits: benefits,
  active_meters: [{ meter_id: 'm1', consumed_units: 3, credited_units: 10, balance: 7 }],
});

describe('customer state snapshot', () => {
  it('keeps what entitlements read, with lower-case ids; a missing customer is an empty state', () => {
    const snapshot = snapshotOf(
      state([sub({})], [{ id: 'g1', benefit_id: 'B1', benefit_type: 'custom', benefit_metadata: {} }]),
      [],
      NOW,
    );
    expect(snapshot.customer).toEqual({
      id: 'c0ffee00-0000-4000-8000-000000000000',
      external_id: 'user_1',
      type: 'individual',
    });
    expect(snapshot.benefits.map((b) => b.benefit_id)).toEqual(['b1']);
    expect(snapshot.meters).toEqual([{ meter_id: 'm1', consumed_units: 3, credited_units: 10, balance: 7 }]);
    expect(snapshotOf(null, [], NOW)).toMatchObject({ customer: null, subscriptions: [], benefits: [], meters: [] });
  });

  it('subscribed: active counts, trialing unless allowTrial is false, past due only with allowPastDue; products filter', () => {
    const snapshot = snapshotOf(
      state([sub({ status: 'trialing', trial_end: '2026-12-10T00:00:00Z' })]),
      [sub({ status: 'past_due', product_id: TEAM })],
      NOW,
    );
    expect(entitlingSubscriptions(snapshot, {}, NOW)).toHaveLength(1);
    expect(entitlingSubscriptions(snapshot, { allowTrial: false }, NOW)).toHaveLength(0);
    expect(subscriptionRefusal(snapshot, { products: [PRO], allowTrial: false }, NOW)).toBe('trial_not_allowed');
    expect(entitlingSubscriptions(snapshot, { products: [TEAM] }, NOW)).toHaveLength(0);
    expect(subscriptionRefusal(snapshot, { products: [TEAM] }, NOW)).toBe('subscription_past_due');
    expect(entitlingSubscriptions(snapshot, { products: [TEAM], allowPastDue: true }, NOW)).toHaveLength(1);
    expect(onTrial(snapshot, [PRO], NOW)).toBe(true);
    expect(pastDue(snapshot, [TEAM], NOW)).toBe(true);
    expect(pastDue(snapshot, [PRO], NOW)).toBe(false);
  });

  it('grace period: canceled at period end counts until ends_at, and not after it on this clock (a missed webhook)', () => {
    const ending = sub({ cancel_at_period_end: true, ends_at: '2026-12-31T00:00:00Z' });
    const snapshot = snapshotOf(state([ending]), [], NOW);
    expect(onGracePeriod(snapshot, undefined, NOW)).toBe(true);
    expect(entitlingSubscriptions(snapshot, {}, NOW)).toHaveLength(1);
    const later = Date.parse('2027-01-01T00:00:00Z');
    expect(entitlingSubscriptions(snapshot, {}, later)).toHaveLength(0);
    expect(subscriptionRefusal(snapshot, {}, later)).toBe('subscription_required');
  });

  it('diff names started, ended and updated subscriptions, granted and revoked benefits', () => {
    const grant = { id: 'g1', benefit_id: 'b1', benefit_type: 'custom', benefit_metadata: {} };
    const before = snapshotOf(state([sub({})], [grant]), [], NOW);
    const after = snapshotOf(
      state([sub({ cancel_at_period_end: true, ends_at: '2026-12-31T00:00:00Z' }), sub({ product_id: TEAM })]),
      [],
      NOW + 1,
    );
    const diff = diffSnapshots(before, after);
    expect(diff.subscriptions_started.map((s) => s.product_id)).toEqual([TEAM]);
    expect(diff.subscriptions_updated.map((s) => s.cancel_at_period_end)).toEqual([true]);
    expect(diff.subscriptions_ended).toEqual([]);
    expect(diff.benefits_revoked.map((b) => b.benefit_id)).toEqual(['b1']);
    expect(isEmptyDiff(diffSnapshots(before, before))).toBe(true);
  });

  describe('team members', () => {
    const SEAT_SUB = 'sub-seats';
    const team = { ...state([sub({ id: SEAT_SUB, product_id: TEAM }), sub({ id: 'sub-solo' })]), type: 'team' };
    const grant = (
      member: string,
      external: string | null,
      benefit: string,
      subscription: string | null,
      granted = true,
    ) => ({
      id: `g-${member}-${benefit}`,
      is_granted: granted,
      member_id: member,
      member: { id: member, external_id: external },
      benefit_id: benefit,
      benefit: { type: 'custom', metadata: { tier: 'team' } },
      subscription_id: subscription,
    });
    const snapshot = snapshotOf(team, [], NOW, [
      grant('M-ADA', 'ada', 'B-TEAM', SEAT_SUB),
      grant('m-bob', 'bob', 'b-team', SEAT_SUB, false),
      grant('m-owner', null, 'b-solo', 'sub-solo'),
    ]);

    it('a member holds the subscriptions their grants come from and only their own benefits', () => {
      const ada = memberSnapshot(snapshot, { member_id: 'm-ada' });
      expect(ada.subscriptions.map((s) => s.id)).toEqual([SEAT_SUB]);
      expect(ada.benefits).toEqual([
        { id: 'g-M-ADA-B-TEAM', benefit_id: 'b-team', benefit_type: 'custom', benefit_metadata: { tier: 'team' } },
      ]);
      expect(memberSnapshot(snapshot, { external_member_id: 'ada' })).toEqual(ada);
      expect(ada.meters).toEqual(snapshot.meters);
    });

    it('a revoked grant, or no grant at all, holds nothing', () => {
      for (const ref of [{ external_member_id: 'bob' }, { member_id: 'm-nobody' }]) {
        expect(memberSnapshot(snapshot, ref)).toMatchObject({ subscriptions: [], benefits: [] });
      }
    });

    it('an individual customer, or no member named, is the whole state; snapshots of this version only', () => {
      const individual = snapshotOf(state([sub({})]), [], NOW, [grant('m-ada', 'ada', 'b-team', SEAT_SUB)]);
      expect(memberSnapshot(individual, { member_id: 'm-ada' })).toBe(individual);
      expect(memberSnapshot(snapshot, {})).toBe(snapshot);
      expect(isSnapshot(snapshot)).toBe(true);
      expect(isSnapshot({ ...snapshot, v: 1 })).toBe(false);
    });
  });
});
