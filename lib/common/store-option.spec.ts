import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import type { PolarWebhookDedupeStore } from '../interfaces/polar-webhook-dedupe-store.interface.js';
import { POLAR_SESSION_REUSE_STORE, POLAR_WEBHOOK_DEDUPE_STORE } from '../polar.constants.js';
import { PolarModule } from '../polar.module.js';
import { PolarCacheManagerDedupeStore } from '../webhooks/cache-manager-dedupe.store.js';
import { PolarMemoryDedupeStore } from '../webhooks/memory-dedupe.store.js';
import { resolveStoreOption } from './store-option.js';

const TOKEN = 'polar_oat_unit_test_token';
const SECRET = 'whsec_dGVzdA==';

/** A cache-manager-like cache, in a module of its own (not global), as an app would import CacheModule. */
const entries = new Map<string, unknown>();
@Module({
  providers: [
    {
      provide: 'CACHE_MANAGER',
      useValue: {
        get: async (key: string) => entries.get(key),
        set: async (key: string, value: unknown) => entries.set(key, value),
        del: async (key: string) => entries.delete(key),
      },
    },
  ],
})
class AppCacheModule {}

const compile = (options: Parameters<typeof PolarModule.forRoot>[0], imports: unknown[] = []) =>
  Test.createTestingModule({ imports: [...(imports as never[]), PolarModule.forRoot(options)] }).compile();

describe('resolveStoreOption', () => {
  it("takes 'memory', 'cache-manager' and an object with every method; names the option otherwise", () => {
    type Store = { get(): number; set(): number; del(): number };
    const store = { get: () => 1, set: () => 1 };
    expect(resolveStoreOption<Store>('memory', 'x.store', ['get'])).toBe('memory');
    expect(resolveStoreOption<Store>('cache-manager', 'x.store', ['get'])).toBe('cache-manager');
    expect(resolveStoreOption<Store>(store, 'x.store', ['get', 'set'])).toBe(store);
    expect(() => resolveStoreOption<Store>(store, 'x.store', ['get', 'set', 'del'])).toThrow(PolarConfigurationError);
    expect(() => resolveStoreOption<Store>('redis', 'x.store', ['get', 'del'])).toThrow(
      `PolarModule: option "x.store" must be 'memory', 'cache-manager' or an object with get, del methods.`,
    );
  });
});

describe('store providers', () => {
  beforeEach(() => entries.clear());

  it('provide the chosen store behind its token, null when the feature is off', async () => {
    const moduleRef = await compile({
      accessToken: TOKEN,
      webhooks: { secrets: SECRET, dedupe: { maxEntries: 5 } },
    });
    await moduleRef.init();
    expect(moduleRef.get(POLAR_WEBHOOK_DEDUPE_STORE)).toBeInstanceOf(PolarMemoryDedupeStore);
    expect(moduleRef.get(POLAR_SESSION_REUSE_STORE)).toBeNull();
    await moduleRef.close();

    const off = await compile({ accessToken: TOKEN, webhooks: { secrets: SECRET, dedupe: false } });
    expect(off.get(POLAR_WEBHOOK_DEDUPE_STORE)).toBeNull();
    await off.close();
  });

  it("'cache-manager' finds the app's CACHE_MANAGER at init, even from a module PolarModule does not import", async () => {
    const moduleRef = await compile(
      {
        accessToken: TOKEN,
        portal: { sessionReuse: { store: 'cache-manager' } },
        webhooks: { secrets: SECRET, dedupe: { store: 'cache-manager' } },
      },
      [AppCacheModule],
    );
    await moduleRef.init();
    const dedupe = moduleRef.get<PolarWebhookDedupeStore>(POLAR_WEBHOOK_DEDUPE_STORE);
    expect(dedupe).toBeInstanceOf(PolarCacheManagerDedupeStore);
    await dedupe.markHandled('msg_1', 1000);
    expect(await dedupe.isHandled('msg_1')).toBe(true);
    expect([...entries.keys()]).toEqual(['polar:webhook:handled:msg_1']);
    await moduleRef.close();
  });

  it("'cache-manager' without a CACHE_MANAGER stops start-up naming the option", async () => {
    const moduleRef = await compile({ accessToken: TOKEN, portal: { sessionReuse: { store: 'cache-manager' } } });
    const failure = await moduleRef.init().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(PolarConfigurationError);
    expect((failure as PolarConfigurationError).option).toBe('portal.sessionReuse.store');
    expect((failure as Error).message).toMatch(/no CACHE_MANAGER provider was found; import CacheModule/);
  });

  it('can be replaced in a test with overrideProvider', async () => {
    const fake: PolarWebhookDedupeStore = {
      isHandled: async () => true,
      claim: async () => true,
      markHandled: async () => {},
      release: async () => {},
    };
    const moduleRef = await Test.createTestingModule({
      imports: [PolarModule.forRoot({ accessToken: TOKEN, webhooks: { secrets: SECRET } })],
    })
      .overrideProvider(POLAR_WEBHOOK_DEDUPE_STORE)
      .useValue(fake)
      .compile();
    expect(moduleRef.get(POLAR_WEBHOOK_DEDUPE_STORE)).toBe(fake);
    await moduleRef.close();
  });
});
