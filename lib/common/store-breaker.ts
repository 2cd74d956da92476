import { Logger } from '@nestjs/common';
import { STORE_MESSAGES } from '../polar.messages.js';
import { withinDeadline } from './deadline.js';

/**
 * A store call that was not made: the store failed or missed its deadline a moment ago and is
 * skipped until its backoff is over. Callers treat it as any store failure (the portal asks Polar
 * without reuse, a webhook is answered 503). Its message names the call, never a value.
 */
export class PolarStoreSkippedError extends Error {
  constructor(
    /** The call that was skipped, e.g. `webhooks.dedupe.store isHandled`. */
    readonly call: string,
  ) {
    super(`${call} skipped: the store failed a moment ago and is probed again after storeBackoffMs`);
    this.name = 'PolarStoreSkippedError';
    // One line in the callers' logs: where a skip was thrown says nothing (the failure that opened the
    // breaker was logged once, with its cause), and an outage skips every request.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** How one call goes through the breaker. */
export interface StoreBreakerCall<T> {
  /** What is called, e.g. `portal.sessionReuse.store mget` (logs and errors name it). */
  call: string;
  /** The deadline of the call. */
  deadlineMs: number;
  /** The call itself, started synchronously when it is let through. */
  work: () => T | PromiseLike<T>;
  /**
   * A write whose effect must not be lost (a delivery recorded as handled): while the store is
   * skipped it is still sent, but not waited for (the caller gets `PolarStoreSkippedError` at once),
   * so a client that queues commands delivers it when the store is back, as it does a call that
   * timed out. Only what was already under way when the store failed reaches this, so it stays small.
   */
  sendWhileSkipped?: boolean;
}

/**
 * One per store backend (the app's cache-manager cache, or a store object of the app), shared by
 * every store option over it: after a call fails or misses its deadline, calls are skipped
 * (rejected at once with `PolarStoreSkippedError`) for `backoffMs`; then one call probes the store
 * while the others are still skipped. The probe answering closes the breaker; failing, it opens
 * it for another `backoffMs`. So an outage costs a request at most one deadline, and only the
 * requests under way when it began and one probe per backoff window pay it; recovery needs no one.
 */
export class StoreBreaker {
  private readonly logger = new Logger('PolarStores');
  /** When calls are let through again (0: closed, every call goes through). */
  private skipUntil = 0;
  private probing = false;

  constructor(
    private readonly backoffMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether calls are skipped right now (open, or a probe under way). */
  get skipping(): boolean {
    return this.skipUntil !== 0 && (this.probing || this.now() < this.skipUntil);
  }

  run<T>({ call, deadlineMs, work, sendWhileSkipped = false }: StoreBreakerCall<T>): Promise<T> {
    if (this.skipping) {
      if (sendWhileSkipped) {
        // Sent for its effect; the outcome is the store's to deliver, nobody waits for it.
        void withinDeadline(call, deadlineMs, work).catch(() => undefined);
      }
      return Promise.reject(new PolarStoreSkippedError(call));
    }
    const probe = this.skipUntil !== 0;
    if (probe) this.probing = true;
    return withinDeadline(call, deadlineMs, work).then(
      (value) => {
        if (probe) {
          this.probing = false;
          this.skipUntil = 0;
          this.logger.log(STORE_MESSAGES.storeBack(call));
        }
        return value;
      },
      (error: unknown) => {
        if (probe) this.probing = false;
        const wasClosed = this.skipUntil === 0;
        this.skipUntil = this.now() + this.backoffMs;
        // One line when the store goes away (not one per failed call): the callers log their own outcome.
        if (wasClosed) this.logger.warn(STORE_MESSAGES.storeSkipped(call, error, this.backoffMs));
        throw error;
      },
    );
  }
}

/**
 * The breakers of one module instance, one per backend object: the `'cache-manager'` stores share
 * the app's cache and so one breaker (one Redis outage, one deadline, whichever store met it first).
 */
export class PolarStoreBreakers {
  private readonly byBackend = new WeakMap<object, StoreBreaker>();

  constructor(private readonly backoffMs: number) {}

  for(backend: object): StoreBreaker {
    let breaker = this.byBackend.get(backend);
    if (breaker === undefined) {
      breaker = new StoreBreaker(this.backoffMs);
      this.byBackend.set(backend, breaker);
    }
    return breaker;
  }
}

/** Picks, by method and arguments, the writes whose effect must not be lost while a store is skipped. */
export type StoreWriteFilter<S> = (method: keyof S & string, args: readonly unknown[]) => boolean;

/** How `storeBehindBreaker` guards a store. */
export interface StoreGuard<S> {
  /** The store option, e.g. `webhooks.dedupe.store` (calls are named `<option> <method>`). */
  option: string;
  /** The deadline of every call (`storeTimeoutMs`). */
  deadlineMs: number;
  /** The breaker of the store's backend. */
  breaker: StoreBreaker;
  /** Which calls are writes still sent (not waited for) while the store is skipped: see `StoreBreakerCall.sendWhileSkipped`. */
  sendWhileSkipped?: StoreWriteFilter<S>;
}

/**
 * The store with every method call under its deadline and its backend's breaker (other properties
 * pass through). One wrapper for every store of the module, applied where stores are built
 * (`polarStoreProvider`).
 */
export function storeBehindBreaker<S extends object>(store: S, guard: StoreGuard<S>): S {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'constructor') return value;
      let method = wrapped.get(property);
      if (method === undefined) {
        const call = `${guard.option} ${String(property)}`;
        const name = String(property) as keyof S & string;
        method = (...args: unknown[]) =>
          guard.breaker.run({
            call,
            deadlineMs: guard.deadlineMs,
            sendWhileSkipped: guard.sendWhileSkipped?.(name, args) ?? false,
            work: () => (value as (...a: unknown[]) => unknown).apply(target, args),
          });
        wrapped.set(property, method);
      }
      return method;
    },
  });
}
