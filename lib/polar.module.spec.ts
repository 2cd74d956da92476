import { Injectable, Module, SetMetadata, type Type } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { PolarNoStoreGuard } from './common/route-controller.factory.js';
import { PolarExceptionFilter } from './errors/polar-exception.filter.js';
import { PolarPortalGuard } from './portal/portal.guard.js';
import { POLAR_WEBHOOK_ROUTE_METADATA } from './webhooks/webhooks.constants.js';
import { Test } from '@nestjs/testing';
import type { PolarOptionsFactory, PolarResolvedOptions } from './interfaces/polar-module-options.interface.js';
import { POLAR_CLIENT, POLAR_RESOLVED_OPTIONS } from './polar.constants.js';
import { InjectPolar, type PolarClient } from './polar.decorators.js';
import { POLAR_ROUTES, PolarModule } from './polar.module.js';
import { CustomersService } from './customers/customers.service.js';
import { SessionsService } from './sessions/sessions.service.js';

const TOKEN = 'polar_oat_unit_test_token';

@Injectable()
class UsesClient {
  constructor(@InjectPolar() readonly polar: PolarClient) {}
}

@Injectable()
class OptionsFromClass implements PolarOptionsFactory {
  createPolarOptions() {
    return { accessToken: TOKEN, environment: 'sandbox' as const };
  }
}

describe('PolarModule', () => {
  it('forRoot provides resolved options, one SDK client, and the services', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PolarModule.forRoot({ accessToken: TOKEN, timeoutMs: 1500 })],
      providers: [UsesClient],
    }).compile();
    const resolved = moduleRef.get<PolarResolvedOptions>(POLAR_RESOLVED_OPTIONS);
    expect(resolved).toMatchObject({ environment: 'production', timeoutMs: 1500, readRetries: 2, webhooks: false });
    expect(moduleRef.get(UsesClient).polar).toBe(moduleRef.get(POLAR_CLIENT));
    expect(typeof moduleRef.get<PolarClient>(POLAR_CLIENT).customers.create).toBe('function');
    expect(moduleRef.get(CustomersService)).toBeInstanceOf(CustomersService);
    expect(moduleRef.get(SessionsService)).toBeInstanceOf(SessionsService);
    await moduleRef.close();
  });

  it('forRootAsync(useClass) resolves the same way, with the top-level route shape', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PolarModule.forRootAsync({ useClass: OptionsFromClass, portal: { path: 'account/billing' } })],
    }).compile();
    expect(moduleRef.get<PolarResolvedOptions>(POLAR_RESOLVED_OPTIONS)).toMatchObject({
      environment: 'sandbox',
      baseUrl: 'https://sandbox-api.polar.sh',
      portal: { path: 'account/billing' },
    });
    await moduleRef.close();
  });

  it('isGlobal makes the services injectable in other modules', async () => {
    @Module({ providers: [UsesClient], exports: [UsesClient] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        PolarModule.forRootAsync({ isGlobal: true, useFactory: () => ({ accessToken: TOKEN }) }),
        FeatureModule,
      ],
    }).compile();
    expect(moduleRef.get(UsesClient).polar).toBe(moduleRef.get(POLAR_CLIENT));
    await moduleRef.close();
  });

  it.each([
    ['forRoot', () => PolarModule.forRoot({ accessToken: '' })],
    [
      'forRootAsync',
      () => PolarModule.forRootAsync({ useFactory: () => ({ accessToken: undefined as unknown as string }) }),
    ],
  ])('%s without accessToken fails at start-up naming the option', async (_name, build) => {
    await expect(Test.createTestingModule({ imports: [build()] }).compile()).rejects.toThrow(
      /"accessToken" is required/,
    );
  });

  it('a bad environment fails at start-up', async () => {
    await expect(
      Test.createTestingModule({
        imports: [PolarModule.forRoot({ accessToken: TOKEN, environment: 'live' as never })],
      }).compile(),
    ).rejects.toThrow(/"environment"/);
  });

  it('adds the portal and webhook routes from the route shape, with the webhook route decorators', () => {
    const marker = SetMetadata('test:marker', 'yes');
    const syncDefinition = PolarModule.forRoot({
      accessToken: TOKEN,
      webhooks: { secrets: 'whsec_test', path: '/hooks/polar/', routeDecorators: [marker] },
    });
    const paths = (syncDefinition.controllers ?? []).map((controller) =>
      Reflect.getMetadata(PATH_METADATA, controller),
    );
    expect(paths).toEqual(['billing/portal', 'hooks/polar']);
    const webhooksController = syncDefinition.controllers![1];
    const handlers = Object.getOwnPropertyNames(webhooksController.prototype).map(
      (name) => (webhooksController.prototype as Record<string, unknown>)[name],
    );
    expect(
      handlers.some(
        (handler) => typeof handler === 'function' && Reflect.getMetadata('test:marker', handler) === 'yes',
      ),
    ).toBe(true);

    const asyncDefinition = PolarModule.forRootAsync({
      portal: false,
      webhooks: { path: 'in' },
      useFactory: () => ({ accessToken: TOKEN, webhooks: { secrets: 'whsec_test' } }),
    });
    expect(
      (asyncDefinition.controllers ?? []).map((controller) => Reflect.getMetadata(PATH_METADATA, controller)),
    ).toEqual(['in']);
    expect(PolarModule.forRootAsync({ portal: false, useFactory: () => ({ accessToken: TOKEN }) }).controllers).toEqual(
      [],
    );
  });

  it('builds every route with one factory: no-store first, the route guards, the exception filter, route decorators on the portal too', () => {
    const marker = SetMetadata('test:marker', 'portal');
    const definition = PolarModule.forRoot({
      accessToken: TOKEN,
      portal: { routeDecorators: [marker] },
      webhooks: { secrets: 'whsec_test' },
    });
    const [portal, webhooks] = definition.controllers as [Type, Type];
    expect([portal.name, webhooks.name]).toEqual(['PolarPortalController', 'PolarWebhooksController']);
    const handle = (controller: Type) => (controller.prototype as Record<string, unknown>).handle as object;
    expect(Reflect.getMetadata('test:marker', handle(portal))).toBe('portal');
    expect(Reflect.getMetadata(GUARDS_METADATA, handle(portal))).toEqual([PolarNoStoreGuard, PolarPortalGuard]);
    expect(Reflect.getMetadata(GUARDS_METADATA, handle(webhooks))).toEqual([PolarNoStoreGuard]);
    expect(Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, webhooks)).toEqual([PolarExceptionFilter]);
    expect(Reflect.getMetadata(POLAR_WEBHOOK_ROUTE_METADATA, webhooks)).toBe(true);
    expect(Reflect.getMetadata(POLAR_WEBHOOK_ROUTE_METADATA, handle(webhooks))).toBe(true);
    expect(Reflect.getMetadata(POLAR_WEBHOOK_ROUTE_METADATA, handle(portal))).toBeUndefined();
  });

  it('lists its routes once', () => {
    expect(POLAR_ROUTES.map((route) => [route.key, route.method, route.defaultPath])).toEqual([
      ['portal', 'GET', 'billing/portal'],
      ['webhooks', 'POST', 'billing/webhooks'],
      ['checkout', 'GET', 'billing/checkout'],
    ]);
  });
});
