import { PolarConfigurationError } from './errors/polar-configuration.error.js';
import { resolvePolarOptions, routeShapeOf } from './polar-options.resolver.js';
import { POLAR_ROUTES } from './polar.module.js';
import type { PolarModuleOptions } from './interfaces/polar-module-options.interface.js';
import { resolveUsageConfig } from './usage/usage.config.js';
import { resolveEntitlementsConfig } from './entitlements/entitlements.config.js';

const TOKEN = 'polar_oat_abcdefghijklmnop';
const syncShape = (options: PolarModuleOptions) =>
  routeShapeOf(
    POLAR_ROUTES,
    { portal: options.portal, webhooks: options.webhooks && { path: options.webhooks.path } },
    false,
  );
const resolve = (options: PolarModuleOptions) => resolvePolarOptions(options, syncShape(options));

describe('resolvePolarOptions', () => {
  it('merges every default', () => {
    expect(resolve({ accessToken: TOKEN })).toEqual({
      accessToken: TOKEN,
      environment: 'production',
      baseUrl: 'https://api.polar.sh',
      timeoutMs: 10_000,
      storeTimeoutMs: 1500,
      storeBackoffMs: 5000,
      customerTimeoutMs: 5000,
      organizationId: undefined,
      plans: {},
      usage: resolveUsageConfig(undefined),
      entitlements: resolveEntitlementsConfig(undefined),
      readRetries: 2,
      customer: undefined,
      portal: {
        path: 'billing/portal',
        guards: [],
        defaultReturnUrl: undefined,
        returnUrlPolicy: { appOrigin: undefined, allowedOrigins: new Set() },
        createCustomerIfMissing: false,
        respondWith: 'negotiate',
        sessionReuse: false,
      },
      webhooks: false,
      checkout: false,
    });
  });

  it('uses the sandbox URL for the sandbox environment and lets baseUrl win', () => {
    expect(resolve({ accessToken: TOKEN, environment: 'sandbox' }).baseUrl).toBe('https://sandbox-api.polar.sh');
    expect(resolve({ accessToken: TOKEN, environment: 'sandbox', baseUrl: 'http://127.0.0.1:9999/' }).baseUrl).toBe(
      'http://127.0.0.1:9999',
    );
  });

  it('normalises route paths and fills the webhook path', () => {
    const resolved = resolve({
      accessToken: TOKEN,
      portal: { path: '/me/billing/' },
      webhooks: { secrets: 'whsec_x' },
    });
    expect(resolved.portal).toMatchObject({ path: 'me/billing' });
    expect(resolved.webhooks).toMatchObject({ secrets: ['whsec_x'], path: 'billing/webhooks' });
    expect(resolve({ accessToken: TOKEN, portal: false }).portal).toBe(false);
  });

  it.each<[string, Partial<PolarModuleOptions> & Record<string, unknown>, RegExp]>([
    ['missing accessToken', { accessToken: undefined }, /"accessToken" is required/],
    ['empty accessToken', { accessToken: '  ' }, /"accessToken" is required/],
    ['accessToken with a newline', { accessToken: `${TOKEN}\n` }, /"accessToken" must not contain whitespace/],
    ['bad environment', { environment: 'prod' as never }, /"environment" must be "production" or "sandbox"/],
    ['zero storeTimeoutMs', { storeTimeoutMs: 0 }, /"storeTimeoutMs" must be a positive number of milliseconds/],
    ['infinite storeTimeoutMs', { storeTimeoutMs: Infinity }, /"storeTimeoutMs" must be a positive/],
    ['negative storeBackoffMs', { storeBackoffMs: -1 }, /"storeBackoffMs" must be a positive number of milliseconds/],
    ['string customerTimeoutMs', { customerTimeoutMs: '5000' as never }, /"customerTimeoutMs" must be a positive/],
    ['relative baseUrl', { baseUrl: 'api.polar.sh' }, /"baseUrl" must be an absolute http\(s\) URL/],
    ['ftp baseUrl', { baseUrl: 'ftp://x' }, /"baseUrl"/],
    ['baseUrl with credentials', { baseUrl: 'https://u:p@x.test' }, /"baseUrl" must not contain credentials/],
    ['zero timeout', { timeoutMs: 0 }, /"timeoutMs"/],
    ['negative retries', { readRetries: -1 }, /"readRetries"/],
    ['webhooks without secrets', { webhooks: {} as never }, /"webhooks.secrets" is required/],
    ['blank portal path', { portal: { path: '/' } }, /"portal.path"/],
    ['bad portal option', { portal: { respondWith: 'xml' as never } }, /"portal.respondWith"/],
    ['bad webhook option', { webhooks: { secrets: 'whsec_x', dedupe: { ttlMs: 0 } } }, /"webhooks.dedupe.ttlMs"/],
  ])('%s → start-up error naming the option', (_name, patch, message) => {
    const options = { accessToken: TOKEN, ...patch } as PolarModuleOptions;
    expect(() => resolve(options)).toThrow(PolarConfigurationError);
    expect(() => resolve(options)).toThrow(message);
  });

  it('never puts the token in an error message', () => {
    const token = 'polar_oat_secret with space';
    expect(() => resolve({ accessToken: token })).toThrow(/accessToken/);
    try {
      resolve({ accessToken: token });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });

  describe('forRootAsync route shape', () => {
    const asyncShape = routeShapeOf(POLAR_ROUTES, { portal: { path: 'pay' }, webhooks: { path: 'hooks' } }, true);

    it('takes paths from the top level and the rest from the factory', () => {
      const resolved = resolvePolarOptions(
        { accessToken: TOKEN, webhooks: { secrets: ['whsec_a', 'whsec_b'] } },
        asyncShape,
      );
      expect(resolved.portal).toMatchObject({ path: 'pay' });
      expect(resolved.webhooks).toMatchObject({ secrets: ['whsec_a', 'whsec_b'], path: 'hooks' });
    });

    it('refuses route changes coming from the factory', () => {
      expect(() =>
        resolvePolarOptions({ accessToken: TOKEN, portal: false, webhooks: { secrets: 'w' } }, asyncShape),
      ).toThrow(/top level of forRootAsync/);
      expect(() =>
        resolvePolarOptions({ accessToken: TOKEN, webhooks: { secrets: 'w' } }, routeShapeOf(POLAR_ROUTES, {}, true)),
      ).toThrow(/"webhooks" must also be given at the top level/);
      expect(() =>
        resolvePolarOptions(
          { accessToken: TOKEN, portal: { path: 'elsewhere' }, webhooks: { secrets: 'w' } },
          asyncShape,
        ),
      ).toThrow(/"portal.path"/);
    });
  });
});
