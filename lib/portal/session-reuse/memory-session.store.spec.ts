import { PolarMemorySessionStore } from './memory-session.store.js';

describe('PolarMemorySessionStore', () => {
  it('forgets a key once its ttl has passed', async () => {
    let now = 1_000;
    const store = new PolarMemorySessionStore(10, () => now);
    await store.set('a', { v: 1 }, 500);
    expect(await store.get('a')).toEqual({ v: 1 });
    now = 1_499;
    expect(await store.mget(['a', 'missing'])).toEqual([{ v: 1 }, undefined]);
    now = 1_500;
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('keeps at most maxEntries keys, dropping the oldest written first', async () => {
    const store = new PolarMemorySessionStore(2);
    await store.set('a', 1, 60_000);
    await store.set('b', 2, 60_000);
    await store.set('a', 3, 60_000);
    await store.set('c', 4, 60_000);
    expect(await store.mget(['a', 'b', 'c'])).toEqual([3, undefined, 4]);
  });

  it('applies a write before its promise settles, so a deletion is seen by the next read', async () => {
    const store = new PolarMemorySessionStore(5);
    void store.set('gone', { at: 1 }, 60_000);
    expect(await store.get('gone')).toEqual({ at: 1 });
    void store.del('gone');
    expect(await store.get('gone')).toBeUndefined();
  });
});
