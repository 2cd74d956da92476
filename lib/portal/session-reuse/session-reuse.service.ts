import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CustomerLifecycle, type PolarCustomerDeletedEvent } from '../../customers/customer-lifecycle.js';
import type { PolarResolvedOptions } from '../../interfaces/polar-module-options.interface.js';
import type {
  PolarSessionReuseConfig,
  PolarSessionReuseStore,
} from '../../interfaces/polar-session-reuse-options.interface.js';
import { POLAR_RESOLVED_OPTIONS, POLAR_SESSION_REUSE_STORE } from '../../polar.constants.js';
import type { PolarCustomerSession } from '../../sessions/sessions.service.js';
import { CustomerSessionBudget, type SessionBudgetRecord } from './customer-session-budget.js';
import { SESSION_REUSE_MESSAGES } from './session-reuse.messages.js';

const KEY_PREFIX = 'polar:portal-session:';
/** Polar sessions live one hour: nothing made before a deletion can be alive after this long. */
const SESSION_LIFETIME_MS = 3_600_000;
const LOCAL_TOMBSTONES_MAX = 10_000;
const WARN_EVERY_MS = 30_000;

/** What the portal asks Polar for: the body of `POST /v1/customer-sessions/`. */
export interface PolarPortalSessionRequest {
  customer_id?: string;
  external_customer_id?: string;
  member_id?: string;
  external_member_id?: string;
  return_url?: string;
}

/** The part of a session the portal hands out; the URL carries the session token. */
export interface PolarReusablePortalSession {
  customer_portal_url: string;
  expires_at: string;
}

/** A session as kept in the store: enough to answer, and to know whose it is and when it began. */
interface StoredSession {
  v: 1;
  url: string;
  expires_at: string;
  expires_at_ms: number;
  customer_id: string;
  external_id: string | null;
  /** This instance's clock when the request to Polar began: a deletion after it kills the session. */
  started_at: number;
}

interface Tombstone {
  at: number;
}

type IdentityForm = 'cust' | 'ext';
interface Identity {
  form: IdentityForm;
  value: string;
}

const TOMBSTONE_PART = 'gone:';
/** Whether a store key is a deleted customer's tombstone (written by `forget`). */
export const isTombstoneKey = (key: string): boolean =>
  key.startsWith(KEY_PREFIX) && key.slice(KEY_PREFIX.length).split(':')[1] === TOMBSTONE_PART.slice(0, -1);

const hash = (value: string) => createHash('sha256').update(value).digest('base64url');
// Polar ids are UUIDs, compared without regard to case; external ids are the app's and exact.
const normaliseCustomerId = (id: string) => id.toLowerCase();

function identityOf(request: PolarPortalSessionRequest): Identity | undefined {
  if (typeof request.customer_id === 'string') return { form: 'cust', value: normaliseCustomerId(request.customer_id) };
  if (typeof request.external_customer_id === 'string') return { form: 'ext', value: request.external_customer_id };
  return undefined;
}

/**
 * Store keys are hashes (fixed length, no customer id or return URL in plain text) under a
 * namespace per Polar organization and deployment: apps of different organizations sharing one
 * Redis must never meet, as their external ids can be the same.
 */
class ReuseKeys {
  constructor(private readonly namespace: string) {}

  session(identity: Identity, request: PolarPortalSessionRequest): string {
    const parts = [identity.form, identity.value, ...memberOf(request), request.return_url ?? null];
    return `${KEY_PREFIX}${this.namespace}:s:${hash(JSON.stringify(parts))}`;
  }

  /** The customer's (and member's) new-session budget: everything of the key but the return URL. */
  budget(identity: Identity, request: PolarPortalSessionRequest): string {
    const parts = [identity.form, identity.value, ...memberOf(request)];
    return `${KEY_PREFIX}${this.namespace}:budget:${hash(JSON.stringify(parts))}`;
  }

  tombstone(identity: Identity): string {
    return `${KEY_PREFIX}${this.namespace}:${TOMBSTONE_PART}${identity.form}:${hash(identity.value)}`;
  }

  alias(identity: Identity): string {
    return `${KEY_PREFIX}${this.namespace}:alias:${identity.form}:${hash(identity.value)}`;
  }
}
function memberOf(request: PolarPortalSessionRequest): string[] {
  if (request.member_id !== undefined) return ['m', request.member_id.toLowerCase()];
  if (request.external_member_id !== undefined) return ['xm', request.external_member_id];
  return [];
}
const localName = (identity: Identity) => `${identity.form}:${identity.value}`;

function isStoredSession(value: unknown): value is StoredSession {
  const v = value as Partial<StoredSession> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.v === 1 &&
    typeof v.url === 'string' &&
    typeof v.expires_at === 'string' &&
    typeof v.expires_at_ms === 'number' &&
    typeof v.customer_id === 'string' &&
    typeof v.started_at === 'number'
  );
}

/** Whether a stored session belongs to exactly the customer the request is for. */
function belongsTo(session: StoredSession, identity: Identity): boolean {
  return identity.form === 'cust'
    ? normaliseCustomerId(session.customer_id) === identity.value
    : session.external_id === identity.value;
}

/**
 * Portal-session reuse (opt-in with `portal.sessionReuse`). Hands a customer's live session out
 * again until a safety margin before it expires, keyed by customer, member and return URL; shares
 * one call to Polar between concurrent requests for the same key; forgets a customer's sessions
 * when `CustomersService` deletes the customer or a verified `customer.deleted` webhook arrives
 * (tombstones, so instances sharing a store agree).
 */
@Injectable()
export class PolarSessionReuse implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PolarSessionReuse');
  private readonly config: PolarSessionReuseConfig;
  private readonly keys: ReuseKeys;
  private readonly store: PolarSessionReuseStore | undefined;
  /** New sessions per customer per window (`maxSessionsPerCustomer`); undefined with reuse off. */
  private readonly budget: CustomerSessionBudget | undefined;
  private readonly flights = new Map<string, Promise<PolarReusablePortalSession>>();
  /** Deletions seen by this instance, effective at once (the store's copy may still be in flight). */
  private readonly localTombstones = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;
  private lastWarning = 0;

  constructor(
    @Inject(POLAR_RESOLVED_OPTIONS) resolved: PolarResolvedOptions,
    @Inject(POLAR_SESSION_REUSE_STORE) store: PolarSessionReuseStore | null,
    @Inject(CustomerLifecycle) private readonly lifecycle: CustomerLifecycle,
  ) {
    this.config = resolved.portal ? resolved.portal.sessionReuse : false;
    this.store = this.config === false ? undefined : (store ?? undefined);
    this.budget =
      this.config === false
        ? undefined
        : new CustomerSessionBudget(
            this.config.maxSessionsPerCustomer,
            SESSION_LIFETIME_MS - this.config.safetyMarginMs,
            this.config.maxEntries,
          );
    // The token stands for the organization and deployment; only its hash is ever part of a key.
    this.keys = new ReuseKeys(
      hash(JSON.stringify([resolved.baseUrl, resolved.organizationId ?? null, resolved.accessToken])).slice(0, 16),
    );
  }

  onModuleInit(): void {
    if (this.store === undefined) return;
    this.unsubscribe = this.lifecycle.onDeleted((event) => this.forget(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * A live session for this request: from the store when one is there and has more than the
   * safety margin left, else the result of `create` (stored for the next request). With reuse off,
   * `create` every time.
   */
  async obtain(
    request: PolarPortalSessionRequest,
    create: () => Promise<PolarCustomerSession>,
  ): Promise<PolarReusablePortalSession> {
    // The store is set only when reuse is on.
    const identity = this.store === undefined ? undefined : identityOf(request);
    if (identity === undefined) {
      return linkOf(await create());
    }
    const key = this.keys.session(identity, request);
    const inFlight = this.flights.get(key);
    if (inFlight) return inFlight;
    const budgetKey = this.keys.budget(identity, request);
    const { hit, budget } = await this.lookup(key, identity, budgetKey);
    if (hit) return hit;
    // Another request may have started the same call while this one read the store.
    const started = this.flights.get(key);
    if (started) return started;
    const decision = (this.budget as CustomerSessionBudget).decide(budgetKey, budget, Date.now());
    if (!decision.spend) {
      // Out of budget: the customer's latest session, whatever its return URL, instead of a call.
      const latest = await this.latestSession(decision.latest, identity);
      if (latest) return latest;
      // Gone (the customer was deleted, the store evicted or lost it): nothing the client chose.
      const meanwhile = this.flights.get(key);
      if (meanwhile) return meanwhile;
    }
    return this.startFlight(key, budgetKey, identity, create);
  }

  /** Counts the new session and starts the call, synchronously, so concurrent requests see both. */
  private startFlight(
    key: string,
    budgetKey: string,
    identity: Identity,
    create: () => Promise<PolarCustomerSession>,
  ): Promise<PolarReusablePortalSession> {
    const now = Date.now();
    const record = (this.budget as CustomerSessionBudget).spend(budgetKey, key, now);
    void this.shareBudget(budgetKey, record, now);
    const flight: Promise<PolarReusablePortalSession> = this.createAndKeep(key, identity, create).finally(() => {
      // A deletion may have cleared the map and a newer flight taken the key: leave that one alone.
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    this.flights.set(key, flight);
    return flight;
  }

  /** The session stored (or being asked for) under `key`, if it is still this customer's and live. */
  private async latestSession(key: string, identity: Identity): Promise<PolarReusablePortalSession | undefined> {
    const flight = this.flights.get(key);
    if (flight) return flight;
    return (await this.lookup(key, identity)).hit;
  }

  /** Writes the budget for instances sharing the store; a failure only loses the sharing. */
  private async shareBudget(budgetKey: string, record: SessionBudgetRecord, now: number): Promise<void> {
    try {
      await (this.store as PolarSessionReuseStore).set(budgetKey, record, record.window_ends_at - now);
    } catch (error) {
      this.warn('write', error);
    }
  }

  private async lookup(
    key: string,
    identity: Identity,
    budgetKey?: string,
  ): Promise<{ hit?: PolarReusablePortalSession; budget?: unknown }> {
    const store = this.store as PolarSessionReuseStore;
    let found: unknown;
    let tombstone: unknown;
    let budget: unknown;
    try {
      const keys = [key, this.keys.tombstone(identity), ...(budgetKey === undefined ? [] : [budgetKey])];
      [found, tombstone, budget] = store.mget
        ? await store.mget(keys)
        : await Promise.all(keys.map((k) => store.get(k)));
    } catch (error) {
      this.warn('read', error);
      return {};
    }
    if (!isStoredSession(found) || !belongsTo(found, identity)) return { budget };
    if (found.expires_at_ms - this.marginMs <= Date.now()) return { budget };
    const deletedAt = (tombstone as Tombstone | null | undefined)?.at;
    if (typeof deletedAt === 'number' && deletedAt >= found.started_at) return { budget };
    if (this.deletedLocallyAfter(found)) return { budget };
    return { hit: { customer_portal_url: found.url, expires_at: found.expires_at }, budget };
  }

  private async createAndKeep(
    key: string,
    identity: Identity,
    create: () => Promise<PolarCustomerSession>,
  ): Promise<PolarReusablePortalSession> {
    const startedAt = Date.now();
    const session = await create();
    const expiresAtMs = Date.parse(session.expires_at);
    const stored: StoredSession = {
      v: 1,
      url: session.customer_portal_url,
      expires_at: session.expires_at,
      expires_at_ms: expiresAtMs,
      customer_id: session.customer_id,
      external_id: session.customer?.external_id ?? null,
      started_at: startedAt,
    };
    const ttl = expiresAtMs - this.marginMs - Date.now();
    // Keep only what is provably this customer's and still worth handing out.
    if (Number.isFinite(ttl) && ttl > 0 && belongsTo(stored, identity) && !this.deletedLocallyAfter(stored)) {
      await this.keep(key, stored, ttl);
    }
    return linkOf(session);
  }

  /** Writes the session, and the id ↔ external id aliases a deletion by either id needs. */
  private async keep(key: string, stored: StoredSession, ttl: number): Promise<void> {
    const store = this.store as PolarSessionReuseStore;
    // Inside the try: a store that throws rather than rejects must not fail the portal either.
    try {
      const writes: Array<Promise<unknown>> = [store.set(key, stored, ttl)];
      if (stored.external_id !== null) {
        const customerId = normaliseCustomerId(stored.customer_id);
        writes.push(
          store.set(this.keys.alias({ form: 'cust', value: customerId }), stored.external_id, SESSION_LIFETIME_MS),
          store.set(this.keys.alias({ form: 'ext', value: stored.external_id }), customerId, SESSION_LIFETIME_MS),
        );
      }
      await Promise.all(writes);
    } catch (error) {
      this.warn('write', error);
    }
  }

  /**
   * Drops every session of a deleted customer, whichever id it was opened by: at once in this
   * instance, and through tombstones in the store for instances sharing it.
   */
  private async forget(event: PolarCustomerDeletedEvent): Promise<void> {
    const at = Date.now();
    const given: Identity[] = [];
    if (event.customer_id) given.push({ form: 'cust', value: normaliseCustomerId(event.customer_id) });
    if (event.external_customer_id) given.push({ form: 'ext', value: event.external_customer_id });
    for (const identity of given) this.markDeletedLocally(identity, at);
    // A call to Polar already under way may be for this customer: later requests must not join it.
    this.flights.clear();
    const store = this.store;
    if (!store) return;
    try {
      await Promise.all(
        given.map(async (identity) => {
          await store.set(this.keys.tombstone(identity), { at } satisfies Tombstone, SESSION_LIFETIME_MS);
          const other = await store.get<string>(this.keys.alias(identity));
          if (typeof other !== 'string') return;
          const otherIdentity: Identity = { form: identity.form === 'cust' ? 'ext' : 'cust', value: other };
          this.markDeletedLocally(otherIdentity, at);
          await store.set(this.keys.tombstone(otherIdentity), { at } satisfies Tombstone, SESSION_LIFETIME_MS);
        }),
      );
    } catch (error) {
      this.warn('delete', error);
    }
  }

  private markDeletedLocally(identity: Identity, at: number): void {
    const name = localName(identity);
    this.localTombstones.delete(name);
    this.localTombstones.set(name, at);
    if (this.localTombstones.size > LOCAL_TOMBSTONES_MAX) {
      this.localTombstones.delete(this.localTombstones.keys().next().value as string);
    }
  }

  private deletedLocallyAfter(session: StoredSession): boolean {
    if (this.localTombstones.size === 0) return false;
    const byId = this.localTombstones.get(localName({ form: 'cust', value: normaliseCustomerId(session.customer_id) }));
    const byExternal =
      session.external_id === null
        ? undefined
        : this.localTombstones.get(localName({ form: 'ext', value: session.external_id }));
    return (
      (byId !== undefined && byId >= session.started_at) ||
      (byExternal !== undefined && byExternal >= session.started_at)
    );
  }

  private get marginMs(): number {
    return this.config === false ? 0 : this.config.safetyMarginMs;
  }

  /** A failing store must not fail the portal: say so (rarely), then ask Polar as without reuse. */
  private warn(operation: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(SESSION_REUSE_MESSAGES.storeFailed(operation, error));
  }
}

function linkOf(session: PolarCustomerSession): PolarReusablePortalSession {
  return { customer_portal_url: session.customer_portal_url, expires_at: session.expires_at };
}
