import { HttpException, Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CustomerLifecycle, type PolarCustomerDeletedEvent } from '../customers/customer-lifecycle.js';
import { CustomersService } from '../customers/customers.service.js';
import { describeThrown } from '../errors/describe-thrown.js';
import { PolarRequestRunner } from '../errors/polar-request.runner.js';
import type { PolarCustomerIdentity } from '../interfaces/polar-customer-resolver.interface.js';
import type { PolarCustomerStateRefresh } from '../interfaces/polar-customer-state-refresh.interface.js';
import type {
  PolarCustomerStateStore,
  PolarDownPolicy,
  PolarEntitlementsConfig,
} from '../interfaces/polar-entitlements-options.interface.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import type { PolarClient } from '../polar.decorators.js';
import { POLAR_CLIENT, POLAR_CUSTOMER_STATE_STORE, POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import {
  diffSnapshots,
  isEmptyDiff,
  isSnapshot,
  snapshotOf,
  type PolarCustomerStateDiff,
  type PolarCustomerStateSnapshot,
} from './customer-state.snapshot.js';
import { PolarEntitlementState, type PolarEntitlementNames } from './entitlement-state.js';
import { PolarEntitlementsUnavailableException } from './entitlements.exceptions.js';
import { ENTITLEMENT_MESSAGES } from './entitlements.messages.js';

const KEY_PREFIX = 'polar:customer-state:';
const LOG_EVERY_MS = 10_000;
/** A team's grants are read 100 a page, at most this many pages (10,000 grants). */
const MAX_GRANT_PAGES = 100;

/** Which customer: Polar's id or the app's external id (what the module's resolver answers). */
export type PolarStateCustomer = Pick<PolarCustomerIdentity, 'customer_id' | 'external_customer_id'>;

/** How a read may behave when Polar fails (a guard's own policy, else the module's). */
export interface PolarStateReadPolicy {
  onPolarDown?: PolarDownPolicy;
  maxStaleMs?: number;
}

/** What `onChanged` listeners receive: whose state changed, and how. */
export interface PolarCustomerStateChange extends PolarCustomerStateDiff {
  customer_id: string | null;
  external_customer_id: string | null;
  /** The state now. */
  state: PolarEntitlementState;
}

/** Listener of `onChanged()`; may be async. Its failures are logged, never thrown. */
export type PolarCustomerStateListener = (change: PolarCustomerStateChange) => void | Promise<void>;

interface LocalEntry {
  snapshot: PolarCustomerStateSnapshot;
  /** When the shared store was last read for this key (memory mode: never needed). */
  checkedAt: number;
  /** A webhook said the state changed and the refetch has not landed yet. */
  invalidated: boolean;
}

interface Flight {
  /** Sequence number at its start: a change announced later needs a later flight. */
  seq: number;
  promise: Promise<PolarCustomerStateSnapshot>;
  /** The one fetch queued behind it, shared by every change announced while it runs. */
  next?: Promise<PolarCustomerStateSnapshot>;
}

/**
 * Left in the shared store by an instance that received a change for a customer no instance held:
 * a fetch that started before `changed_at` (another instance's first read, under way) must not be
 * shared as current.
 */
interface ChangeMark {
  changed_at: number;
}

const isChangeMark = (value: unknown): value is ChangeMark =>
  typeof value === 'object' && value !== null && typeof (value as ChangeMark).changed_at === 'number';

const keyOf = (customer: PolarStateCustomer): string =>
  typeof customer.customer_id === 'string'
    ? `id:${customer.customer_id.toLowerCase()}`
    : `ext:${String(customer.external_customer_id)}`;

/**
 * Every customer's billing state, cached: in this process (`'memory'`), or shared with other
 * instances through a store (`'cache-manager'` / the app's own). A state is fresh for `ttlMs` (no
 * call to Polar); then served at once while one background refresh per customer runs, up to
 * `staleWhileRevalidateMs` more; past that a read waits for the refresh. Every verified webhook
 * that can change a customer's state refetches it (never patches it), so delivery order cannot
 * matter; instances sharing a store see the refetched state within `syncMs`.
 */
@Injectable()
export class PolarCustomerStateService implements PolarCustomerStateRefresh, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PolarEntitlements');
  private readonly config: PolarEntitlementsConfig;
  private readonly names: PolarEntitlementNames;
  private readonly local = new Map<string, LocalEntry>();
  private readonly flights = new Map<string, Flight>();
  private readonly listeners = new Set<PolarCustomerStateListener>();
  private readonly unsubscribe: Array<() => void> = [];
  private seq = 0;
  private loggedAt = -Infinity;

  constructor(
    @Inject(POLAR_RESOLVED_OPTIONS) options: PolarResolvedOptions,
    @Inject(POLAR_CUSTOMER_STATE_STORE) private readonly store: PolarCustomerStateStore | null,
    @Inject(POLAR_CLIENT) private readonly polar: PolarClient,
    private readonly runner: PolarRequestRunner,
    private readonly customers: CustomersService,
    private readonly lifecycle: CustomerLifecycle,
  ) {
    this.config = options.entitlements;
    this.names = { plans: options.plans, config: options.entitlements };
  }

  onModuleInit(): void {
    // The webhook route reports verified deliveries here; CustomersService reports its deletions.
    this.unsubscribe.push(
      this.lifecycle.onStateChanged((customer) => this.announced(customer)),
      this.lifecycle.onDeleted((customer) => this.announced(customer)),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  /** Subscribes to changes this process observes (a refetch or another instance's); returns the unsubscribe. */
  onChanged(listener: PolarCustomerStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The customer's state: from the cache when fresh (no call to Polar), else fetched once for all
   * concurrent readers. When Polar fails: the last known state under `'serve-stale'` (if at most
   * `maxStaleMs` old, marked `stale`), else a 503 `PolarEntitlementsUnavailableException`.
   */
  async get(customer: PolarStateCustomer, policy: PolarStateReadPolicy = {}): Promise<PolarEntitlementState> {
    const key = keyOf(customer);
    const now = Date.now();
    let entry = this.local.get(key);
    if (this.store !== null && (entry === undefined || now - entry.checkedAt >= this.config.syncMs)) {
      entry = await this.syncFromStore(key, now);
    }
    if (entry !== undefined && !entry.invalidated) {
      const age = now - entry.snapshot.fetched_at;
      if (age < this.config.ttlMs) return this.view(entry.snapshot, now);
      if (age < this.config.ttlMs + this.config.staleWhileRevalidateMs) {
        this.fetch(key, customer, 0).catch((error: unknown) => this.logFailure(error));
        return this.view(entry.snapshot, now);
      }
    }
    try {
      return this.view(await this.fetch(key, customer, 0), Date.now());
    } catch (error) {
      const known = this.local.get(key) ?? entry;
      const onPolarDown = policy.onPolarDown ?? this.config.onPolarDown;
      const maxStaleMs = Math.min(policy.maxStaleMs ?? this.config.maxStaleMs, this.config.maxStaleMs);
      this.logFailure(error);
      if (
        known !== undefined &&
        onPolarDown === 'serve-stale' &&
        Date.now() - known.snapshot.fetched_at <= maxStaleMs
      ) {
        return this.view(known.snapshot, Date.now(), true);
      }
      throw new PolarEntitlementsUnavailableException(error);
    }
  }

  /**
   * Refetches one customer's state now (after a checkout, say), held or not: the app is about to
   * read it. Never throws; failures are logged.
   */
  async refresh(customer: PolarStateCustomer | PolarCustomerDeletedEvent): Promise<void> {
    try {
      await this.changed(customer, 'always');
    } catch (error) {
      this.logFailure(error);
    }
  }

  /** A webhook announced a change: refetch only if someone holds the customer. Never throws. */
  private async announced(customer: PolarStateCustomer | PolarCustomerDeletedEvent): Promise<void> {
    try {
      await this.changed(customer, 'if-held');
    } catch (error) {
      this.logFailure(error);
    }
  }

  /**
   * A change: mark what this process holds, then refetch, after the change. On a webhook
   * (`if-held`), a customer nobody holds (not here, not being fetched here, not in the shared
   * store) is not fetched: the next read fetches it anyway, and a burst of webhooks (a renewal run)
   * must not spend the organization's rate limit on customers no one asked about. In a shared store it is
   * marked changed instead, so another instance's first read already under way is not shared as
   * current.
   */
  private async changed(
    customer: PolarCustomerDeletedEvent | PolarStateCustomer,
    when: 'always' | 'if-held',
  ): Promise<void> {
    const keys = aliasKeys(customer);
    if (keys.length === 0) return;
    const seq = ++this.seq;
    let held = false;
    for (const key of keys) {
      const entry = this.local.get(key);
      if (entry) entry.invalidated = true;
      if (entry !== undefined || this.flights.has(key)) held = true;
    }
    if (when === 'if-held' && !held && !(await this.heldInStore(keys, Date.now()))) return;
    const by: PolarStateCustomer =
      typeof customer.customer_id === 'string'
        ? { customer_id: customer.customer_id }
        : { external_customer_id: customer.external_customer_id as string };
    await this.fetch(keys[0]!, by, seq, keys.slice(1));
  }

  /** One fetch per key at a time; a caller needing a fetch started after `seq` gets a new one. */
  private fetch(
    key: string,
    customer: PolarStateCustomer,
    seq: number,
    alsoKeys: string[] = [],
  ): Promise<PolarCustomerStateSnapshot> {
    const flight = this.flights.get(key);
    if (flight !== undefined && flight.seq >= seq) return flight.promise;
    if (flight !== undefined) {
      // It started before this change: one more fetch after it, however many changes arrive meanwhile.
      flight.next ??= flight.promise
        .catch(() => undefined)
        .then(() => this.start(key, customer, alsoKeys, this.flights.get(key)));
      return flight.next;
    }
    return this.start(key, customer, alsoKeys);
  }

  /** Starts a fetch now (after every change announced so far) and makes it the key's flight. */
  private start(
    key: string,
    customer: PolarStateCustomer,
    alsoKeys: string[],
    newer?: Flight,
  ): Promise<PolarCustomerStateSnapshot> {
    // A read started one since the queued fetch was promised: it began after those changes too.
    if (newer !== undefined) return newer.promise;
    const started = ++this.seq;
    const promise = this.load(customer).then((snapshot) => this.commit([key, ...alsoKeys], snapshot));
    const settled = () => {
      if (this.flights.get(key)?.promise === promise) this.flights.delete(key);
    };
    promise.then(settled, settled);
    this.flights.set(key, { seq: started, promise });
    return promise;
  }

  /**
   * Polar's state and the past-due subscriptions (which the state leaves out), and for a team customer its granted
   * benefit grants (who of its members holds what), all under the module's deadlines.
   */
  private async load(customer: PolarStateCustomer): Promise<PolarCustomerStateSnapshot> {
    const fetchedAt = Date.now();
    const byId = typeof customer.customer_id === 'string';
    const [[state, grants], pastDue] = await Promise.all([
      (byId
        ? this.customers.getState(customer.customer_id as string)
        : this.customers.getStateByExternalId(customer.external_customer_id as string)
      )
        .catch((error: unknown) => {
          if (isNoSuchCustomer(error)) return null;
          throw error;
        })
        .then(async (state): Promise<[unknown, unknown[]]> => [state, await this.teamGrants(state)]),
      this.runner
        .read(() =>
          this.polar.subscriptions.list({
            ...(byId
              ? { customer_id: customer.customer_id as string }
              : { external_customer_id: customer.external_customer_id as string }),
            status: 'past_due',
            limit: 100,
          }),
        )
        .then((page): unknown[] => page.items)
        .catch((error: unknown) => {
          if (isNoSuchCustomer(error)) return [];
          throw error;
        }),
    ]);
    return snapshotOf(state, state === null ? [] : pastDue, fetchedAt, grants);
  }

  /** A team customer's granted benefit grants, every page (each under the module's deadlines); none for others. */
  private async teamGrants(state: unknown): Promise<unknown[]> {
    const { id, type } = (state ?? {}) as { id?: unknown; type?: unknown };
    if (type !== 'team' || typeof id !== 'string') return [];
    const grants: unknown[] = [];
    for (let page = 1; page <= MAX_GRANT_PAGES; page++) {
      const answer = await this.runner.read(() =>
        this.polar.benefitGrants.list({ customer_id: id, is_granted: true, limit: 100, page }),
      );
      grants.push(...answer.items);
      if (page >= answer.pagination.max_page) break;
    }
    return grants;
  }

  /** Keeps the newer snapshot under every key of the customer, shares it, and tells listeners what changed. */
  private async commit(keys: string[], snapshot: PolarCustomerStateSnapshot): Promise<PolarCustomerStateSnapshot> {
    const all = new Set(keys);
    if (snapshot.customer) {
      all.add(`id:${snapshot.customer.id}`);
      if (snapshot.customer.external_id !== null) all.add(`ext:${snapshot.customer.external_id}`);
    }
    const now = Date.now();
    const held = [...all].map((key) => this.local.get(key)?.snapshot);
    // A fetch that started after this one already landed: it wins, whatever order they finish in.
    const newer = held.find((copy) => copy !== undefined && copy.fetched_at > snapshot.fetched_at);
    if (newer) return newer;
    const previous = held.find((copy) => copy !== undefined);
    for (const key of all) this.remember(key, { snapshot, checkedAt: now, invalidated: false });
    if (this.store !== null) {
      if (await this.markedAfter(keys[0]!, snapshot.fetched_at)) {
        // A change reached another instance while this fetch ran: serve it once, share nothing, refetch next time.
        for (const key of all) this.remember(key, { snapshot, checkedAt: now, invalidated: true });
        return snapshot;
      }
      const ttl = this.config.ttlMs + this.config.staleWhileRevalidateMs + this.config.maxStaleMs;
      await Promise.all(
        [...all].map((key) =>
          this.store!.set(KEY_PREFIX + key, snapshot, ttl).catch((error: unknown) =>
            this.logger.warn(ENTITLEMENT_MESSAGES.storeFailed('set', error)),
          ),
        ),
      );
    }
    if (previous) this.announce(previous, snapshot);
    return snapshot;
  }

  /** Reads the shared copy; the newer of it and this process's copy is kept. A failing store is logged and skipped. */
  private async syncFromStore(key: string, now: number): Promise<LocalEntry | undefined> {
    const held = this.local.get(key);
    let stored: unknown;
    try {
      stored = await this.store!.get(KEY_PREFIX + key);
    } catch (error) {
      this.logger.warn(ENTITLEMENT_MESSAGES.storeFailed('get', error));
      return held;
    }
    if (!isSnapshot(stored) || (held && held.snapshot.fetched_at >= stored.fetched_at)) {
      if (held) held.checkedAt = now;
      if (held && isChangeMark(stored) && stored.changed_at >= held.snapshot.fetched_at) held.invalidated = true;
      return held;
    }
    const entry: LocalEntry = { snapshot: stored, checkedAt: now, invalidated: false };
    this.remember(key, entry);
    if (held) this.announce(held.snapshot, stored);
    return entry;
  }

  /**
   * Shared-store mode: whether another instance holds the customer (a snapshot under one of its
   * keys). When none does, the change is marked there (see `ChangeMark`). Memory mode: never.
   * A failing store counts as held: refetching is the safe side.
   */
  private async heldInStore(keys: string[], now: number): Promise<boolean> {
    if (this.store === null) return false;
    try {
      const stored = await Promise.all(keys.map((key) => this.store!.get(KEY_PREFIX + key)));
      if (stored.some(isSnapshot)) return true;
      const mark: ChangeMark = { changed_at: now };
      await Promise.all(keys.map((key) => this.store!.set(KEY_PREFIX + key, mark, this.config.ttlMs)));
      return false;
    } catch (error) {
      this.logger.warn(ENTITLEMENT_MESSAGES.storeFailed('get', error));
      return true;
    }
  }

  /** Whether the shared store marks a change of this customer later than `fetchedAt` (a failing store: no). */
  private async markedAfter(key: string, fetchedAt: number): Promise<boolean> {
    try {
      const stored = await this.store!.get(KEY_PREFIX + key);
      return isChangeMark(stored) && stored.changed_at >= fetchedAt;
    } catch (error) {
      this.logger.warn(ENTITLEMENT_MESSAGES.storeFailed('get', error));
      return false;
    }
  }

  private remember(key: string, entry: LocalEntry): void {
    this.local.delete(key);
    this.local.set(key, entry);
    if (this.local.size > this.config.maxEntries) this.local.delete(this.local.keys().next().value as string);
  }

  private announce(previous: PolarCustomerStateSnapshot, next: PolarCustomerStateSnapshot): void {
    if (this.listeners.size === 0) return;
    const diff = diffSnapshots(previous, next);
    if (isEmptyDiff(diff)) return;
    const customer = next.customer ?? previous.customer;
    const change: PolarCustomerStateChange = {
      customer_id: customer?.id ?? null,
      external_customer_id: customer?.external_id ?? null,
      ...diff,
      state: this.view(next, Date.now()),
    };
    for (const listener of this.listeners) {
      try {
        const result = listener(change);
        if (result instanceof Promise) result.catch((error: unknown) => this.listenerFailed(error));
      } catch (error) {
        this.listenerFailed(error);
      }
    }
  }

  private view(snapshot: PolarCustomerStateSnapshot, now: number, stale = false): PolarEntitlementState {
    return new PolarEntitlementState(snapshot, this.names, now, stale);
  }

  /** At most one line per `LOG_EVERY_MS`: while Polar is down, every request would log otherwise. */
  private logFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.loggedAt < LOG_EVERY_MS) return;
    this.loggedAt = now;
    this.logger.warn(ENTITLEMENT_MESSAGES.refreshFailed(error), describeThrown(error));
  }

  private listenerFailed(error: unknown): void {
    this.logger.error(ENTITLEMENT_MESSAGES.listenerFailed, describeThrown(error));
  }
}

/** The cache keys a change names: Polar's id first when known (the fetch goes by it), then the external id. */
function aliasKeys(customer: PolarCustomerDeletedEvent | PolarStateCustomer): string[] {
  const keys: string[] = [];
  if (typeof customer.customer_id === 'string') keys.push(`id:${customer.customer_id.toLowerCase()}`);
  if (typeof customer.external_customer_id === 'string') keys.push(`ext:${customer.external_customer_id}`);
  return keys;
}

/**
 * Polar knows no such customer (404; 400 or 422 for an id it could never hold): a state of its
 * own (not entitled), not a failure of Polar.
 */
function isNoSuchCustomer(error: unknown): boolean {
  return error instanceof HttpException && [400, 404, 422].includes(error.getStatus());
}
