import { createKeyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { redisClaimsOf } from './redis-claims.js';

describe('redisClaimsOf', () => {
  it("finds the @keyv/redis store of the README's setup (no connection is made to find it)", async () => {
    const keyv = createKeyv('redis://127.0.0.1:1');
    const cache = createCache({ stores: [keyv] });
    expect(redisClaimsOf(cache)).toEqual({ setIfAbsent: expect.any(Function), delete: expect.any(Function) });
    // Behind an in-memory tier too: the Redis tier is the one instances share.
    expect(redisClaimsOf(createCache({ stores: [new Keyv(), keyv] }))).toBeDefined();
    await cache.disconnect();
  });

  it('is undefined for any other cache: claims are then read-then-write', () => {
    expect(redisClaimsOf(createCache())).toBeUndefined();
    expect(redisClaimsOf(createCache({ stores: [new Keyv()] }))).toBeUndefined();
    expect(redisClaimsOf({ get: () => undefined })).toBeUndefined();
    expect(redisClaimsOf(undefined)).toBeUndefined();
  });
});
