import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import { resolveCheckoutConfig } from './checkout.config.js';

describe('resolveCheckoutConfig', () => {
  it('applies every default', () => {
    expect(resolveCheckoutConfig({}, 'billing/checkout')).toEqual({
      path: 'billing/checkout',
      guards: [],
      defaultReturnUrl: undefined,
      returnUrlPolicy: { appOrigin: undefined, allowedOrigins: new Set() },
      allowAnonymous: false,
      successPage: '/',
      respondWith: 'negotiate',
      allowMultipleSubscriptions: false,
      resolvePlan: undefined,
      metadata: undefined,
    });
  });

  it('resolves the success page against a configured app origin, once', () => {
    const config = resolveCheckoutConfig({ appOrigin: 'https://app.example', successPage: '/welcome' }, 'p');
    expect(config.successPage).toBe('https://app.example/welcome');
  });

  it.each([
    [{ guards: 'AuthGuard' }, 'checkout.guards', 'array'],
    [{ allowAnonymous: 'yes' }, 'checkout.allowAnonymous', 'boolean'],
    [{ allowMultipleSubscriptions: 1 }, 'checkout.allowMultipleSubscriptions', 'boolean'],
    [{ respondWith: 'html' }, 'checkout.respondWith', "'negotiate'"],
    [{ successPage: '//evil.example' }, 'checkout.successPage', 'refused'],
    [{ successPage: 'javascript:alert(1)' }, 'checkout.successPage', 'refused'],
    [{ appOrigin: 'https://app.example/path' }, 'checkout.appOrigin', 'origin only'],
    [{ allowedReturnOrigins: ['*.example.com'] }, 'checkout.allowedReturnOrigins[0]', 'wildcards'],
    [{ resolvePlan: { pro: {} } }, 'checkout.resolvePlan', 'function'],
    [{ metadata: { ref: 'x' } }, 'checkout.metadata', 'function'],
  ])('refuses %j at start-up, naming %s', (options, option, rule) => {
    const run = () => resolveCheckoutConfig(options as never, 'p');
    expect(run).toThrow(PolarConfigurationError);
    expect(run).toThrow(new RegExp(`"${option.replace(/[.[\]]/g, '\\$&')}".*${rule}`));
  });
});
