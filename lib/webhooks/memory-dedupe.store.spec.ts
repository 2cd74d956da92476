import { PolarMemoryDedupeStore } from './memory-dedupe.store.js';

describe('PolarMemoryDedupeStore', () => {
  let now = 1_000_000;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('remembers a handled id until its TTL runs out', async () => {
    const store = new PolarMemoryDedupeStore({ now: clock });
    await store.markHandled('msg_1', 1000);

    expect(await store.isHandled('msg_1')).toBe(true);
    now += 999;
    expect(await store.isHandled('msg_1')).toBe(true);
    now += 1;
    expect(await store.isHandled('msg_1')).toBe(false);
  });

  it('keeps at most maxEntries ids, forgetting the oldest first', async () => {
    const store = new PolarMemoryDedupeStore({ maxEntries: 3, now: clock });
    for (const id of ['a', 'b', 'c', 'd']) await store.markHandled(id, 60_000);

    expect(store.size).toBe(3);
    expect(await store.isHandled('a')).toBe(false);
    expect(await store.isHandled('b')).toBe(true);
    expect(await store.isHandled('d')).toBe(true);
  });

  it('gives a claim to one caller until it is released, handled, or expires', async () => {
    const store = new PolarMemoryDedupeStore({ now: clock });

    expect(await store.claim('msg_1', 500)).toBe(true);
    expect(await store.claim('msg_1', 500)).toBe(false);
    await store.release('msg_1');
    expect(await store.claim('msg_1', 500)).toBe(true);
    now += 500;
    expect(await store.claim('msg_1', 500)).toBe(true);
    await store.markHandled('msg_1', 1000);
    expect(await store.claim('msg_1', 500)).toBe(true);
  });

  it('rejects a maxEntries that is not a positive integer', () => {
    expect(() => new PolarMemoryDedupeStore({ maxEntries: 0 })).toThrow(
      '"webhooks.dedupe.maxEntries" must be a positive integer',
    );
  });
});
