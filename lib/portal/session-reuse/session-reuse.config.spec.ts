import { PolarConfigurationError } from '../../errors/polar-configuration.error.js';
import { resolveSessionReuseConfig } from './session-reuse.config.js';

describe('resolveSessionReuseConfig', () => {
  it('is off unless asked for; true means the defaults (memory, 15 min margin, 10 000 keys)', () => {
    expect(resolveSessionReuseConfig(undefined)).toBe(false);
    expect(resolveSessionReuseConfig(false)).toBe(false);
    expect(resolveSessionReuseConfig(true)).toEqual({
      safetyMarginMs: 900_000,
      store: 'memory',
      maxEntries: 10_000,
      maxSessionsPerCustomer: 3,
    });
  });

  it("takes 'cache-manager' or a store object with get, set and del", () => {
    const store = { get: async () => undefined, set: async () => undefined, del: async () => undefined };
    expect(resolveSessionReuseConfig({ store: 'cache-manager' })).toMatchObject({ store: 'cache-manager' });
    expect(resolveSessionReuseConfig({ store, safetyMarginSeconds: 0 })).toMatchObject({ store, safetyMarginMs: 0 });
  });

  // These ran as full app start-ups in test/reuse/session-reuse.e2e-spec.ts.
  it.each<[unknown, RegExp]>([
    [{ safetyMarginSeconds: -1 }, /"portal\.sessionReuse\.safetyMarginSeconds"/],
    [{ safetyMarginSeconds: 3600 }, /"portal\.sessionReuse\.safetyMarginSeconds"/],
    [{ maxEntries: 0 }, /"portal\.sessionReuse\.maxEntries" must be a positive integer/],
    [
      { store: 'redis' },
      /"portal\.sessionReuse\.store" must be 'memory', 'cache-manager' or an object with get, set, del/,
    ],
    ['yes', /portal\.sessionReuse" must be true, false or an object/],
  ])('%j → a PolarConfigurationError naming the option', (option, message) => {
    expect(() => resolveSessionReuseConfig(option as never)).toThrow(PolarConfigurationError);
    expect(() => resolveSessionReuseConfig(option as never)).toThrow(message);
  });
});
