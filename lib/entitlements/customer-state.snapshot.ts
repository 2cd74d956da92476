/**
 * What the cache keeps of one customer's billing state, and every question asked of it. Built from
 * Polar's `customers.getState` (active and trialing subscriptions, granted benefits, active meters)
 * plus the customer's `past_due` subscriptions, which the state leaves out. Pure: no I/O, no clock
 * but the `now` passed in.
 */

/** A subscription as the cache keeps it (Polar's field names). */
export interface PolarEntitlementSubscription {
  id: string;
  status: 'active' | 'trialing' | 'past_due';
  product_id: string;
  current_period_end: string | null;
  trial_end: string | null;
  cancel_at_period_end: boolean;
  ends_at: string | null;
}

/** A granted benefit as the cache keeps it. */
export interface PolarEntitlementBenefit {
  id: string;
  benefit_id: string;
  benefit_type: string;
  benefit_metadata: Record<string, unknown>;
}

/** An active meter as the cache keeps it. */
export interface PolarEntitlementMeter {
  meter_id: string;
  consumed_units: number;
  credited_units: number;
  balance: number;
}

/**
 * What one member of a team customer holds: the grants Polar made to them (a seat's benefits carry the seat
 * holder's `member_id` and the seat's subscription or order). A member holds a team subscription when they hold a
 * grant from it.
 */
export interface PolarEntitlementMember {
  member_id: string;
  external_member_id: string | null;
  benefits: PolarEntitlementBenefit[];
  /** The subscriptions (ids) their grants come from: the seats they hold. */
  subscription_ids: string[];
}

/** Which member of a team customer: Polar's id or the app's (what the module's resolver answers). */
export interface PolarMemberRef {
  member_id?: string;
  external_member_id?: string;
}

/** One customer's state as cached (and shared through the store). */
export interface PolarCustomerStateSnapshot {
  v: 2;
  /** When the fetch that produced it started (epoch ms); the newer of two copies wins. */
  fetched_at: number;
  /** The customer, or null when Polar knows no such customer (never bought, or deleted). */
  customer: { id: string; external_id: string | null; type: string } | null;
  subscriptions: PolarEntitlementSubscription[];
  benefits: PolarEntitlementBenefit[];
  meters: PolarEntitlementMeter[];
  /** Per member, for team customers (from the customer's benefit grants); empty for individual customers. */
  members: PolarEntitlementMember[];
}

type Raw = Record<string, unknown>;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const list = (value: unknown): Raw[] =>
  Array.isArray(value) ? value.filter((item): item is Raw => typeof item === 'object' && item !== null) : [];

function subscriptionOf(raw: Raw): PolarEntitlementSubscription | null {
  const status = raw['status'];
  if (status !== 'active' && status !== 'trialing' && status !== 'past_due') return null;
  const id = str(raw['id']);
  const productId = str(raw['product_id'] ?? raw['productId']);
  if (!id || !productId) return null;
  return {
    id,
    status,
    product_id: productId.toLowerCase(),
    current_period_end: isoOf(raw['current_period_end'] ?? raw['currentPeriodEnd']),
    trial_end: isoOf(raw['trial_end'] ?? raw['trialEnd']),
    cancel_at_period_end: (raw['cancel_at_period_end'] ?? raw['cancelAtPeriodEnd']) === true,
    ends_at: isoOf(raw['ends_at'] ?? raw['endsAt']),
  };
}

/** The SDK hands dates back as `Date`; the API and the store as ISO strings. */
function isoOf(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return str(value);
}

/** A granted benefit of a state entry or a benefit grant (`benefit` embedded); null without a benefit id. */
function benefitOf(g: Raw): PolarEntitlementBenefit | null {
  const embedded = (typeof g['benefit'] === 'object' && g['benefit'] !== null ? g['benefit'] : {}) as Raw;
  const benefitId = str(g['benefit_id'] ?? g['benefitId']);
  if (!benefitId) return null;
  const metadata = g['benefit_metadata'] ?? g['benefitMetadata'] ?? embedded['metadata'];
  return {
    id: str(g['id']) ?? benefitId,
    benefit_id: benefitId.toLowerCase(),
    benefit_type: str(g['benefit_type'] ?? g['benefitType'] ?? embedded['type']) ?? 'custom',
    benefit_metadata: typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {},
  };
}

/** Team members' grants, grouped by member, from `benefitGrants.list` items (granted ones only). */
function membersOf(grants: unknown[]): PolarEntitlementMember[] {
  const byMember = new Map<string, PolarEntitlementMember>();
  for (const g of list(grants)) {
    if ((g['is_granted'] ?? g['isGranted']) !== true) continue;
    const memberId = str(g['member_id'] ?? g['memberId']);
    const benefit = benefitOf(g);
    if (!memberId || !benefit) continue;
    const member = (typeof g['member'] === 'object' && g['member'] !== null ? g['member'] : {}) as Raw;
    const key = memberId.toLowerCase();
    const entry = byMember.get(key) ?? {
      member_id: key,
      external_member_id: str(member['external_id'] ?? member['externalId']),
      benefits: [],
      subscription_ids: [],
    };
    entry.benefits.push(benefit);
    const subscriptionId = str(g['subscription_id'] ?? g['subscriptionId'])?.toLowerCase();
    if (subscriptionId && !entry.subscription_ids.includes(subscriptionId)) entry.subscription_ids.push(subscriptionId);
    byMember.set(key, entry);
  }
  return [...byMember.values()];
}

/**
 * The snapshot of a `getState` answer (snake_case from the API, or the SDK's camelCase), the
 * customer's past-due subscriptions and, for a team customer, its granted benefit grants (per
 * member); `state` null means Polar knows no such customer.
 */
export function snapshotOf(
  state: unknown,
  pastDue: unknown[],
  fetchedAt: number,
  grants: unknown[] = [],
): PolarCustomerStateSnapshot {
  if (typeof state !== 'object' || state === null) {
    return { v: 2, fetched_at: fetchedAt, customer: null, subscriptions: [], benefits: [], meters: [], members: [] };
  }
  const raw = state as Raw;
  const subscriptions = [...list(raw['active_subscriptions'] ?? raw['activeSubscriptions']), ...list(pastDue)]
    .map(subscriptionOf)
    .filter((s): s is PolarEntitlementSubscription => s !== null);
  const benefits = list(raw['granted_benefits'] ?? raw['grantedBenefits'])
    .map(benefitOf)
    .filter((b): b is PolarEntitlementBenefit => b !== null);
  const meters = list(raw['active_meters'] ?? raw['activeMeters']).flatMap((m) => {
    const meterId = str(m['meter_id'] ?? m['meterId']);
    if (!meterId) return [];
    return [
      {
        meter_id: meterId.toLowerCase(),
        consumed_units: num(m['consumed_units'] ?? m['consumedUnits']),
        credited_units: num(m['credited_units'] ?? m['creditedUnits']),
        balance: num(m['balance']),
      },
    ];
  });
  return {
    v: 2,
    fetched_at: fetchedAt,
    customer: {
      id: String(raw['id']).toLowerCase(),
      external_id: str(raw['external_id'] ?? raw['externalId']),
      type: str(raw['type']) ?? 'individual',
    },
    subscriptions,
    benefits,
    meters,
    members: membersOf(grants),
  };
}

/** Whether a member reference names anyone. */
function namesMember(member: PolarMemberRef): boolean {
  return typeof member.member_id === 'string' || typeof member.external_member_id === 'string';
}

/**
 * What one member of a team customer is entitled to: the team's subscriptions they hold a seat on
 * (a grant from it), their own granted benefits, and the team's meters (Polar counts usage per
 * customer). A member without a grant holds nothing. For any other customer, or no member named, the
 * snapshot itself (the same object).
 */
export function memberSnapshot(snapshot: PolarCustomerStateSnapshot, ref: PolarMemberRef): PolarCustomerStateSnapshot {
  if (snapshot.customer?.type !== 'team' || !namesMember(ref)) return snapshot;
  const id = ref.member_id?.toLowerCase();
  const member = snapshot.members.find((m) =>
    id !== undefined ? m.member_id === id : m.external_member_id === ref.external_member_id,
  );
  const held = new Set(member?.subscription_ids ?? []);
  return {
    ...snapshot,
    subscriptions: snapshot.subscriptions.filter((s) => held.has(s.id.toLowerCase())),
    benefits: member?.benefits ?? [],
  };
}

/** Whether a value read from a store is a snapshot this version wrote. */
export function isSnapshot(value: unknown): value is PolarCustomerStateSnapshot {
  const v = value as Partial<PolarCustomerStateSnapshot> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.v === 2 &&
    typeof v.fetched_at === 'number' &&
    Array.isArray(v.members) &&
    Array.isArray(v.subscriptions) &&
    Array.isArray(v.benefits) &&
    Array.isArray(v.meters)
  );
}

/** Which subscriptions count, for `subscribed` and the subscription guard. */
export interface PolarSubscriptionQuery {
  /** Polar product ids; any subscription counts when empty. */
  products?: readonly string[];
  /** Trialing subscriptions count. @default true */
  allowTrial?: boolean;
  /** Past-due subscriptions count. @default false */
  allowPastDue?: boolean;
}

/** A subscription's end has passed on this clock (a missed webhook must not extend access). */
function ended(subscription: PolarEntitlementSubscription, now: number): boolean {
  return subscription.ends_at !== null && Date.parse(subscription.ends_at) <= now;
}

function ofProducts(snapshot: PolarCustomerStateSnapshot, products: readonly string[] | undefined, now: number) {
  // Product ids are lower-cased where they enter (options, decorators, snapshots); the lists are a few ids.
  const wanted = products && products.length > 0 ? products : null;
  return snapshot.subscriptions.filter((s) => (!wanted || wanted.includes(s.product_id)) && !ended(s, now));
}

/** The subscriptions that entitle under `query` (Cashier's `subscribed`). */
export function entitlingSubscriptions(
  snapshot: PolarCustomerStateSnapshot,
  query: PolarSubscriptionQuery,
  now: number,
): PolarEntitlementSubscription[] {
  const { allowTrial = true, allowPastDue = false } = query;
  return ofProducts(snapshot, query.products, now).filter(
    (s) =>
      s.status === 'active' || (s.status === 'trialing' && allowTrial) || (s.status === 'past_due' && allowPastDue),
  );
}

/** Why a subscription requirement failed: the `code` of the 402. */
export type PolarSubscriptionRefusal = 'subscription_past_due' | 'trial_not_allowed' | 'subscription_required';

/** The refusal code for a snapshot that has no entitling subscription under `query`. */
export function subscriptionRefusal(
  snapshot: PolarCustomerStateSnapshot,
  query: PolarSubscriptionQuery,
  now: number,
): PolarSubscriptionRefusal {
  const candidates = ofProducts(snapshot, query.products, now);
  if (candidates.some((s) => s.status === 'past_due')) return 'subscription_past_due';
  if (candidates.some((s) => s.status === 'trialing')) return 'trial_not_allowed';
  return 'subscription_required';
}

/** Trialing (and the trial not over on this clock). */
export function onTrial(snapshot: PolarCustomerStateSnapshot, products: readonly string[] | undefined, now: number) {
  return ofProducts(snapshot, products, now).some(
    (s) => s.status === 'trialing' && (s.trial_end === null || Date.parse(s.trial_end) > now),
  );
}

/** Canceled at period end, the period not over yet: still entitled, ending (Cashier's grace period). */
export function onGracePeriod(
  snapshot: PolarCustomerStateSnapshot,
  products: readonly string[] | undefined,
  now: number,
) {
  return ofProducts(snapshot, products, now).some(
    (s) => s.status !== 'past_due' && s.cancel_at_period_end && s.ends_at !== null,
  );
}

/** A renewal payment failed and Polar is retrying it (dunning). */
export function pastDue(snapshot: PolarCustomerStateSnapshot, products: readonly string[] | undefined, now: number) {
  return ofProducts(snapshot, products, now).some((s) => s.status === 'past_due');
}

/** Whether a benefit (by Polar id) is granted. */
export function hasBenefitId(snapshot: PolarCustomerStateSnapshot, benefitId: string): boolean {
  const id = benefitId.toLowerCase();
  return snapshot.benefits.some((b) => b.benefit_id === id);
}

/** The balance of a meter (credited − consumed), or undefined when the customer has none on it. */
export function meterBalanceOf(snapshot: PolarCustomerStateSnapshot, meterId: string): number | undefined {
  const id = meterId.toLowerCase();
  return snapshot.meters.find((m) => m.meter_id === id)?.balance;
}

/** What changed between two snapshots of one customer (the `onChanged` event's lists). */
export interface PolarCustomerStateDiff {
  subscriptions_started: PolarEntitlementSubscription[];
  subscriptions_ended: PolarEntitlementSubscription[];
  subscriptions_updated: PolarEntitlementSubscription[];
  benefits_granted: PolarEntitlementBenefit[];
  benefits_revoked: PolarEntitlementBenefit[];
  meters_changed: PolarEntitlementMeter[];
}

const subscriptionKey = (s: PolarEntitlementSubscription) =>
  `${s.status}|${s.product_id}|${s.current_period_end}|${s.trial_end}|${s.cancel_at_period_end}|${s.ends_at}`;

/** The diff of `next` against `previous`; every list empty means nothing an entitlement reads changed. */
export function diffSnapshots(
  previous: PolarCustomerStateSnapshot,
  next: PolarCustomerStateSnapshot,
): PolarCustomerStateDiff {
  const before = new Map(previous.subscriptions.map((s) => [s.id, s]));
  const after = new Map(next.subscriptions.map((s) => [s.id, s]));
  const grantsBefore = new Set(previous.benefits.map((b) => b.benefit_id));
  const grantsAfter = new Set(next.benefits.map((b) => b.benefit_id));
  const metersBefore = new Map(previous.meters.map((m) => [m.meter_id, m.balance]));
  return {
    subscriptions_started: next.subscriptions.filter((s) => !before.has(s.id)),
    subscriptions_ended: previous.subscriptions.filter((s) => !after.has(s.id)),
    subscriptions_updated: next.subscriptions.filter((s) => {
      const old = before.get(s.id);
      return old !== undefined && subscriptionKey(old) !== subscriptionKey(s);
    }),
    benefits_granted: next.benefits.filter((b) => !grantsBefore.has(b.benefit_id)),
    benefits_revoked: previous.benefits.filter((b) => !grantsAfter.has(b.benefit_id)),
    meters_changed: next.meters.filter((m) => metersBefore.get(m.meter_id) !== m.balance),
  };
}

/** Whether a diff has anything in it. */
export function isEmptyDiff(diff: PolarCustomerStateDiff): boolean {
  return Object.values(diff).every((entries: unknown[]) => entries.length === 0);
}
