import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import type { PolarWebhooksOptions } from '../interfaces/polar-webhooks-options.interface.js';
import { resolveWebhooksConfig } from './webhooks.config.js';

const SECRET = 'whsec_dGVzdF9zZWNyZXQ=';

describe('resolveWebhooksConfig', () => {
  it('applies every default: memory dedupe for 72 h, 60 s claims, 10 000 ids', () => {
    expect(resolveWebhooksConfig({ secrets: SECRET }, 'billing/webhooks')).toEqual({
      path: 'billing/webhooks',
      secrets: [SECRET],
      onUnknownEvent: undefined,
      dedupe: { store: 'memory', ttlMs: 259_200_000, claimTtlMs: 60_000, maxEntries: 10_000 },
    });
  });

  it('keeps several secrets in order, dedupe off, a store object and the hook as given', () => {
    const store = {
      isHandled: async () => false,
      claim: async () => true,
      markHandled: async () => {},
      release: async () => {},
    };
    const hook = () => {};
    expect(resolveWebhooksConfig({ secrets: ['whsec_a', 'whsec_b'], dedupe: false }, 'h').dedupe).toBe(false);
    const config = resolveWebhooksConfig(
      { secrets: ['whsec_a', 'whsec_b'], dedupe: { store }, onUnknownEvent: hook },
      'h',
    );
    expect(config.secrets).toEqual(['whsec_a', 'whsec_b']);
    expect(config.dedupe && config.dedupe.store).toBe(store);
    expect(config.onUnknownEvent).toBe(hook);
  });

  // These ran as full app start-ups, per adapter, in test/webhooks/webhooks.e2e-spec.ts.
  it.each<[string, Partial<PolarWebhooksOptions> | Record<string, unknown>, string]>([
    ['no secret', { secrets: [] }, '"webhooks.secrets" is required when the webhook route is registered'],
    ['an empty secret', { secrets: [''] }, '"webhooks.secrets" is required when the webhook route is registered'],
    ['no secrets key', { secrets: undefined }, '"webhooks.secrets" is required'],
    ['a secret with a newline', { secrets: [SECRET + '\n'] }, '"webhooks.secrets" must not contain whitespace'],
    ['negative ttlMs', { dedupe: { ttlMs: -1 } }, '"webhooks.dedupe.ttlMs" must be a positive number of milliseconds'],
    [
      'NaN claimTtlMs',
      { dedupe: { claimTtlMs: Number.NaN } },
      '"webhooks.dedupe.claimTtlMs" must be a positive number of milliseconds',
    ],
    [
      'fractional maxEntries',
      { dedupe: { maxEntries: 1.5 } },
      '"webhooks.dedupe.maxEntries" must be a positive integer',
    ],
    [
      'an unknown store name',
      { dedupe: { store: 'redis' } },
      "\"webhooks.dedupe.store\" must be 'memory', 'cache-manager' or an object",
    ],
    ['a store missing methods', { dedupe: { store: { isHandled: () => true } } }, '"webhooks.dedupe.store" must be'],
    ['a dedupe string', { dedupe: 'yes' }, '"webhooks.dedupe" must be false or an object'],
    ['a hook that is not a function', { onUnknownEvent: 'log' }, '"webhooks.onUnknownEvent" must be a function'],
  ])('%s → a PolarConfigurationError naming the option', (_name, patch, message) => {
    const options = { secrets: SECRET, ...patch } as PolarWebhooksOptions;
    expect(() => resolveWebhooksConfig(options, 'h')).toThrow(PolarConfigurationError);
    expect(() => resolveWebhooksConfig(options, 'h')).toThrow(message);
  });

  it('never puts a secret in the message', () => {
    const secret = 'whsec_leak me';
    try {
      resolveWebhooksConfig({ secrets: [secret] }, 'h');
      throw new Error('expected a start-up error');
    } catch (error) {
      expect((error as PolarConfigurationError).option).toBe('webhooks.secrets');
      expect((error as Error).message).not.toContain('leak');
    }
  });
});
