import { PolarDeadlineError } from './deadline.js';
import { PolarStoreBreakers, PolarStoreSkippedError, StoreBreaker, storeBehindBreaker } from './store-breaker.js';

const BACKOFF_MS = 5000;
const DEADLINE_MS = 20;

/** A store whose calls hang while `down`, counting every call that reached it. */
function flakyStore() {
  const state = { down: false, calls: [] as string[] };
  const store = {
    size: 3,
    value: 'kept',
    get(): Promise<string> {
      state.calls.push('get');
      return state.down ? new Promise<string>(() => undefined) : Promise.resolve(this.value);
    },
    mark(): Promise<void> {
      state.calls.push('mark');
      return state.down ? new Promise<void>(() => undefined) : Promise.resolve();
    },
  };
  return { store, state };
}

function setup() {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const breaker = new StoreBreaker(BACKOFF_MS, () => now);
  const { store, state } = flakyStore();
  const guarded = storeBehindBreaker(store, {
    option: 'webhooks.dedupe.store',
    deadlineMs: DEADLINE_MS,
    breaker,
    sendWhileSkipped: (method) => method === 'mark',
  });
  return { clock, breaker, store: guarded, state };
}

describe('storeBehindBreaker', () => {
  it("puts every method under the deadline and keeps the store's own this and properties", async () => {
    const { store, state } = setup();
    expect(store.size).toBe(3);
    await expect(store.get()).resolves.toBe('kept');
    state.down = true;
    await expect(store.get()).rejects.toThrow('webhooks.dedupe.store get did not settle within 20 ms');
  });

  it('after a missed deadline, skips the store at once until storeBackoffMs is over, without calling it', async () => {
    const { store, state, clock } = setup();
    state.down = true;
    await expect(store.get()).rejects.toBeInstanceOf(PolarDeadlineError);
    expect(state.calls).toEqual(['get']);
    for (let i = 0; i < 5; i++) {
      await expect(store.get()).rejects.toThrow(new PolarStoreSkippedError('webhooks.dedupe.store get'));
      clock.advance(BACKOFF_MS / 10);
    }
    // Still one call reached the store: the outage cost one deadline, not six.
    expect(state.calls).toEqual(['get']);
  });

  it('a rejection trips it too, not only a deadline', async () => {
    const breaker = new StoreBreaker(BACKOFF_MS, () => 0);
    let calls = 0;
    const store = storeBehindBreaker(
      { get: () => (calls++, Promise.reject(new Error('ECONNREFUSED'))) },
      { option: 'x.store', deadlineMs: DEADLINE_MS, breaker },
    );
    await expect(store.get()).rejects.toThrow('ECONNREFUSED');
    await expect(store.get()).rejects.toBeInstanceOf(PolarStoreSkippedError);
    expect(calls).toBe(1);
  });

  it('after the backoff one call probes while the others are still skipped; its answer closes the breaker', async () => {
    const { store, state, clock, breaker } = setup();
    state.down = true;
    await expect(store.get()).rejects.toBeInstanceOf(PolarDeadlineError);
    clock.advance(BACKOFF_MS);
    state.down = false;
    const probe = store.get();
    await expect(store.get()).rejects.toBeInstanceOf(PolarStoreSkippedError);
    await expect(probe).resolves.toBe('kept');
    expect(breaker.skipping).toBe(false);
    await expect(store.get()).resolves.toBe('kept');
    expect(state.calls).toEqual(['get', 'get', 'get']);
  });

  it('a probe that fails skips the store for another backoff', async () => {
    const { store, state, clock } = setup();
    state.down = true;
    await expect(store.get()).rejects.toBeInstanceOf(PolarDeadlineError);
    clock.advance(BACKOFF_MS);
    await expect(store.get()).rejects.toBeInstanceOf(PolarDeadlineError);
    clock.advance(BACKOFF_MS - 1);
    await expect(store.get()).rejects.toBeInstanceOf(PolarStoreSkippedError);
    clock.advance(1);
    state.down = false;
    await expect(store.get()).resolves.toBe('kept');
    expect(state.calls).toEqual(['get', 'get', 'get']);
  });

  it('a write named in sendWhileSkipped is still sent while the store is skipped, and not waited for', async () => {
    const { store, state } = setup();
    state.down = true;
    await expect(store.get()).rejects.toBeInstanceOf(PolarDeadlineError);
    // The store still hangs: the caller is answered at once, the write went out for the client to deliver.
    await expect(store.mark()).rejects.toBeInstanceOf(PolarStoreSkippedError);
    expect(state.calls).toEqual(['get', 'mark']);
    await expect(store.get()).rejects.toBeInstanceOf(PolarStoreSkippedError);
    expect(state.calls).toEqual(['get', 'mark']);
  });
});

describe('PolarStoreBreakers', () => {
  it('gives the stores over one backend one breaker (one outage, one deadline), others their own', async () => {
    const breakers = new PolarStoreBreakers(BACKOFF_MS);
    const cache = {};
    const { store: dedupeBackend, state } = flakyStore();
    const dedupe = storeBehindBreaker(dedupeBackend, {
      option: 'webhooks.dedupe.store',
      deadlineMs: DEADLINE_MS,
      breaker: breakers.for(cache),
    });
    const reuse = storeBehindBreaker(flakyStore().store, {
      option: 'portal.sessionReuse.store',
      deadlineMs: DEADLINE_MS,
      breaker: breakers.for(cache),
    });
    const other = storeBehindBreaker(flakyStore().store, {
      option: 'other.store',
      deadlineMs: DEADLINE_MS,
      breaker: breakers.for({}),
    });
    state.down = true;
    await expect(dedupe.get()).rejects.toBeInstanceOf(PolarDeadlineError);
    await expect(reuse.get()).rejects.toThrow(new PolarStoreSkippedError('portal.sessionReuse.store get'));
    await expect(other.get()).resolves.toBe('kept');
  });
});
