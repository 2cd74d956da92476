import { CustomerLifecycle } from '../customers/customer-lifecycle.js';
import type { CustomersService } from '../customers/customers.service.js';
import type { PolarRequestRunner } from '../errors/polar-request.runner.js';
import type { PolarCustomerStateStore } from '../interfaces/polar-entitlements-options.interface.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import type { PolarClient } from '../polar.decorators.js';
import { PolarCustomerStateService } from './customer-state.service.js';
import { resolveEntitlementsConfig } from './entitlements.config.js';

const CUSTOMER = 'c0ffee00-0000-4000-8000-000000000001';
const PRO = '11111111-1111-4111-8111-111111111111';

/** Polar's answer for the customer: subscribed to PRO or not. */
const stateOf = (subscribed: boolean) => ({
  id: CUSTOMER,
  external_id: null,
  type: 'individual',
  active_subscriptions: subscribed
    ? [{ id: 's1', status: 'active', product_id: PRO, current_period_end: '2099-01-01T00:00:00Z', trial_end: null }]
    : [],
  granted_benefits: [],
  active_meters: [],
});

/**
 * The service with its Polar side replaced by a controllable getState (unit level: what is under test
 * is how many fetches the cache starts, and when). Each getState waits until `release()` answers it.
 */
function harness(store: PolarCustomerStateStore | null = null) {
  let subscribed = false;
  const pending: Array<() => void> = [];
  const calls = { getState: 0 };
  const customers = {
    getState: () => {
      calls.getState++;
      const answer = stateOf(subscribed);
      return new Promise((resolve) => pending.push(() => resolve(answer)));
    },
  } as unknown as CustomersService;
  const polar = { subscriptions: { list: () => Promise.resolve({ items: [] }) } } as unknown as PolarClient;
  const runner = { read: <T>(call: () => Promise<T>) => call() } as unknown as PolarRequestRunner;
  const options = { plans: {}, entitlements: resolveEntitlementsConfig({}) } as unknown as PolarResolvedOptions;
  const lifecycle = new CustomerLifecycle();
  // What a verified webhook does: the lifecycle tells the service; `webhook()` lets a test await its refetch.
  let announce: ((event: { customer_id: string }) => void | Promise<void>) | undefined;
  const subscribe = lifecycle.onStateChanged.bind(lifecycle);
  lifecycle.onStateChanged = (listener) => {
    announce = listener;
    return subscribe(listener);
  };
  const service = new PolarCustomerStateService(options, store, polar, runner, customers, lifecycle);
  service.onModuleInit();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    service,
    calls,
    webhook: async (event: { customer_id: string }) => announce?.(event),
    setSubscribed: (value: boolean) => (subscribed = value),
    /** Lets the service reach Polar (store reads come first), answers every getState waiting, lets the chains run. */
    release: async () => {
      for (let tick = 0; tick < 10 && pending.length === 0; tick++) await settle();
      for (const answer of pending.splice(0)) answer();
      await settle();
      await settle();
    },
    waiting: () => pending.length,
  };
}

/** A shared store as cache-manager offers it, over a Map (what two instances would share through Redis). */
function mapStore(): PolarCustomerStateStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: (key: string) => Promise.resolve(data.get(key)),
    set: (key: string, value: unknown) => {
      data.set(key, structuredClone(value));
      return Promise.resolve();
    },
    del: (key: string) => {
      data.delete(key);
      return Promise.resolve();
    },
  } as PolarCustomerStateStore & { data: Map<string, unknown> };
}

describe('PolarCustomerStateService: what a change costs', () => {
  it('refresh() (after a checkout) fetches a customer no one holds yet: the app reads it next', async () => {
    const h = harness();
    h.setSubscribed(true);
    const refresh = h.service.refresh({ customer_id: CUSTOMER });
    await h.release();
    await refresh;
    expect(h.calls.getState).toBe(1);
    expect((await h.service.get({ customer_id: CUSTOMER })).subscribed(PRO)).toBe(true);
    expect(h.calls.getState).toBe(1);
  });

  it('a change about a customer this process never read costs no call to Polar; the first read fetches it', async () => {
    const h = harness();
    await h.webhook({ customer_id: CUSTOMER });
    expect(h.calls.getState).toBe(0);

    h.setSubscribed(true);
    const read = h.service.get({ customer_id: CUSTOMER });
    await h.release();
    expect((await read).subscribed(PRO)).toBe(true);
    expect(h.calls.getState).toBe(1);
  });

  it('a burst of changes while a refetch runs costs one more fetch, which starts after them and wins', async () => {
    const h = harness();
    const first = h.service.get({ customer_id: CUSTOMER });
    await h.release();
    expect((await first).subscribed(PRO)).toBe(false);

    const burst = [h.webhook({ customer_id: CUSTOMER })];
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.waiting()).toBe(1); // the first change's refetch is under way
    h.setSubscribed(true); // the change the later webhooks announce
    for (let i = 0; i < 7; i++) burst.push(h.webhook({ customer_id: CUSTOMER }));
    await h.release(); // the refetch that started before them ends; one more starts
    expect(h.waiting()).toBe(1);
    await h.release();
    await Promise.all(burst);

    expect(h.calls.getState).toBe(3); // first read, the refetch, one queued for seven changes
    expect((await h.service.get({ customer_id: CUSTOMER })).subscribed(PRO)).toBe(true);
    expect(h.calls.getState).toBe(3);
  });

  it('shared store: a change no instance holds is marked there, not fetched; a first read under way is then not shared as current', async () => {
    const store = mapStore();
    const other = harness(store);
    const here = harness(store);

    const read = other.service.get({ customer_id: CUSTOMER }); // another instance's first read, under way
    await new Promise((resolve) => setImmediate(resolve));
    here.setSubscribed(true);
    await here.webhook({ customer_id: CUSTOMER }); // the webhook reaches this instance
    expect(here.calls.getState).toBe(0);
    expect(store.data.get(`polar:customer-state:id:${CUSTOMER}`)).toEqual({ changed_at: expect.any(Number) });

    await other.release(); // its fetch began before the change: served once, not shared
    expect((await read).subscribed(PRO)).toBe(false);
    expect(store.data.get(`polar:customer-state:id:${CUSTOMER}`)).toEqual({ changed_at: expect.any(Number) });

    other.setSubscribed(true);
    const again = other.service.get({ customer_id: CUSTOMER }); // the next read refetches
    await other.release();
    expect((await again).subscribed(PRO)).toBe(true);
    expect(store.data.get(`polar:customer-state:id:${CUSTOMER}`)).toMatchObject({ fetched_at: expect.any(Number) });
    expect(other.calls.getState).toBe(2);
  });

  it('shared store: a change about a customer another instance holds is refetched here and shared', async () => {
    const store = mapStore();
    const other = harness(store);
    const here = harness(store);
    const read = other.service.get({ customer_id: CUSTOMER });
    await other.release();
    await read;

    here.setSubscribed(true);
    const change = here.webhook({ customer_id: CUSTOMER });
    await new Promise((resolve) => setImmediate(resolve));
    await here.release();
    await change;
    expect(here.calls.getState).toBe(1);
    expect(store.data.get(`polar:customer-state:id:${CUSTOMER}`)).toMatchObject({
      subscriptions: [expect.objectContaining({ product_id: PRO })],
    });
  });
});
