import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import { resolveEntitlementsConfig } from './entitlements.config.js';

describe('resolveEntitlementsConfig', () => {
  it('defaults: in-process, 60 s fresh, 4 min stale-while-revalidate, serve-stale up to 1 h, 500 ms sync', () => {
    expect(resolveEntitlementsConfig(undefined)).toEqual({
      store: 'memory',
      ttlMs: 60_000,
      staleWhileRevalidateMs: 240_000,
      onPolarDown: 'serve-stale',
      maxStaleMs: 3_600_000,
      syncMs: 500,
      maxEntries: 10_000,
      benefits: {},
      meters: {},
      checkoutPath: 'billing/checkout',
      redirectTo: undefined,
    });
  });

  it('normalises paths and ids', () => {
    const config = resolveEntitlementsConfig({
      checkoutPath: '/buy/',
      redirectTo: '/pricing',
      benefits: { 'api-access': 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA' },
    });
    expect(config.checkoutPath).toBe('buy');
    expect(config.benefits['api-access']).toBe('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
  });

  it.each<[unknown, RegExp]>([
    [{ onPolarDown: 'allow' }, /"entitlements\.onPolarDown" must be "serve-stale" or "deny"/],
    [{ ttlMs: 0 }, /"entitlements\.ttlMs" must be a positive number/],
    [{ staleWhileRevalidateMs: -1 }, /"entitlements\.staleWhileRevalidateMs"/],
    [{ store: 'redis' }, /"entitlements\.store" must be 'memory', 'cache-manager' or an object with get, set, del/],
    [{ benefits: { x: 'not-a-uuid' } }, /"entitlements\.benefits\.x" must be a Polar benefit id/],
    [{ redirectTo: 'javascript:alert(1)' }, /"entitlements\.redirectTo"/],
    [{ redirectTo: '//evil.example' }, /"entitlements\.redirectTo"/],
    [{ checkoutPath: 'a?b' }, /"entitlements\.checkoutPath"/],
  ])('%j → a PolarConfigurationError naming the option', (option, message) => {
    expect(() => resolveEntitlementsConfig(option as never)).toThrow(PolarConfigurationError);
    expect(() => resolveEntitlementsConfig(option as never)).toThrow(message);
  });
});
