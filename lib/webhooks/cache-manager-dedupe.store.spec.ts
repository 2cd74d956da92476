import { createCache } from 'cache-manager';
import { type PolarAtomicClaims, PolarCacheManagerDedupeStore } from './cache-manager-dedupe.store.js';

describe('PolarCacheManagerDedupeStore over a real cache-manager cache', () => {
  it('records handled ids under the prefix, with their TTL', async () => {
    const cache = createCache();
    const store = new PolarCacheManagerDedupeStore(cache, { keyPrefix: 'app:' });

    await store.markHandled('msg_1', 50);

    expect(await store.isHandled('msg_1')).toBe(true);
    expect(await cache.get('app:handled:msg_1')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.isHandled('msg_1')).toBe(false);
  });

  it('without atomic claims, a claim is a read then a write through the cache', async () => {
    const store = new PolarCacheManagerDedupeStore(createCache());

    expect(await store.claim('msg_1', 1000)).toBe(true);
    expect(await store.claim('msg_1', 1000)).toBe(false);
    await store.release('msg_1');
    expect(await store.claim('msg_1', 1000)).toBe(true);
    await store.markHandled('msg_1', 1000);
    expect(await store.claim('msg_1', 1000)).toBe(true);
  });

  it('with atomic claims, claims and their release go through them, not the cache', async () => {
    const held = new Set<string>();
    const claims: PolarAtomicClaims = {
      setIfAbsent: async (key) => (held.has(key) ? false : (held.add(key), true)),
      delete: async (key) => {
        held.delete(key);
      },
    };
    const cache = createCache();
    const store = new PolarCacheManagerDedupeStore(cache, { claims });

    expect(await store.claim('msg_1', 1000)).toBe(true);
    expect([...held]).toEqual(['polar:webhook:claim:msg_1']);
    expect(await cache.get('polar:webhook:claim:msg_1')).toBeUndefined();
    expect(await store.claim('msg_1', 1000)).toBe(false);
    await store.markHandled('msg_1', 1000);
    expect(held.size).toBe(0);
    expect(await store.isHandled('msg_1')).toBe(true);
  });
});
