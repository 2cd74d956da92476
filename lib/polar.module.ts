import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { createPolar } from '@polar-sh/sdk/2026-10';
import { appCacheProvider, storeBreakersProvider } from './common/store-option.js';
import { PolarCustomerIdentityService } from './customer-identity/customer-identity.service.js';
import { CustomerLifecycle } from './customers/customer-lifecycle.js';
import { CustomersService } from './customers/customers.service.js';
import { PolarExceptionFilter } from './errors/polar-exception.filter.js';
import { PolarRequestRunner } from './errors/polar-request.runner.js';
import type {
  PolarModuleAsyncOptions,
  PolarModuleForRootOptions,
  PolarModuleOptions,
  PolarResolvedOptions,
} from './interfaces/polar-module-options.interface.js';
import {
  POLAR_ASYNC_OPTIONS_TYPE,
  POLAR_MODULE_OPTIONS,
  POLAR_OPTIONS_TYPE,
  PolarConfigurableModuleClass,
} from './polar.module-definition.js';
import { POLAR_CLIENT, POLAR_RESOLVED_OPTIONS, POLAR_ROUTE_SHAPE } from './polar.constants.js';
import type { PolarClient } from './polar.decorators.js';
import { createPolarRouteControllers } from './common/route-controller.factory.js';
import type { PolarRouteDefinition } from './common/route-definition.js';
import { type PolarRouteShape, resolvePolarOptions, routeShapeOf } from './polar-options.resolver.js';
import { checkoutRoute } from './checkout/checkout.route.js';
import { portalRoute } from './portal/portal.route.js';
import { SessionsService } from './sessions/sessions.service.js';
import { usageBufferStoreProvider } from './usage/usage-buffer.provider.js';
import { PolarUsageRecorder } from './usage/usage.recorder.js';
import { customerStateStoreProvider } from './entitlements/customer-state-store.provider.js';
import { PolarCustomerStateService } from './entitlements/customer-state.service.js';
import { PolarEntitlementGuard } from './entitlements/entitlement.guard.js';
import { POLAR_CUSTOMER_STATE_REFRESH } from './interfaces/polar-customer-state-refresh.interface.js';
import { webhooksRoute } from './webhooks/webhooks.route.js';

/**
 * Every route of the module, each declared in its own folder. A new route is one folder (its
 * definition, handler, options resolver) and one line here (plus its option key in the interfaces).
 */
export const POLAR_ROUTES: readonly PolarRouteDefinition[] = [portalRoute, webhooksRoute, checkoutRoute];

const resolvedOptionsProvider: Provider = {
  provide: POLAR_RESOLVED_OPTIONS,
  useFactory: (options: PolarModuleOptions, shape: PolarRouteShape): PolarResolvedOptions =>
    resolvePolarOptions(options, shape),
  inject: [POLAR_MODULE_OPTIONS, POLAR_ROUTE_SHAPE],
};

const clientProvider: Provider = {
  provide: POLAR_CLIENT,
  useFactory: (options: PolarResolvedOptions): PolarClient =>
    createPolar({
      accessToken: options.accessToken,
      environment: options.environment,
      baseUrl: options.baseUrl,
      timeout: options.timeoutMs / 1000,
      organizationId: options.organizationId,
    }),
  inject: [POLAR_RESOLVED_OPTIONS],
};

/**
 * The Polar module: the SDK client (`@InjectPolar()`), `CustomersService`, `SessionsService`, the
 * customer-state cache and entitlement guard, `PolarUsageRecorder`, and the portal / webhook routes.
 * Configure with `forRoot(options)` or `forRootAsync({ … })`.
 */
@Module({
  providers: [
    resolvedOptionsProvider,
    clientProvider,
    appCacheProvider,
    storeBreakersProvider,
    PolarRequestRunner,
    CustomerLifecycle,
    PolarCustomerIdentityService,
    CustomersService,
    SessionsService,
    PolarExceptionFilter,
    usageBufferStoreProvider,
    PolarUsageRecorder,
    customerStateStoreProvider,
    PolarCustomerStateService,
    { provide: POLAR_CUSTOMER_STATE_REFRESH, useExisting: PolarCustomerStateService },
    PolarEntitlementGuard,
  ],
  exports: [
    POLAR_CLIENT,
    POLAR_RESOLVED_OPTIONS,
    CustomersService,
    SessionsService,
    CustomerLifecycle,
    PolarCustomerIdentityService,
    PolarExceptionFilter,
    PolarUsageRecorder,
    PolarCustomerStateService,
    POLAR_CUSTOMER_STATE_REFRESH,
    PolarEntitlementGuard,
  ],
})
export class PolarModule extends PolarConfigurableModuleClass {
  /** Configures the module with static options. */
  static override forRoot(options: PolarModuleForRootOptions): DynamicModule {
    const shape = routeShapeOf(POLAR_ROUTES, options ?? {}, false);
    return withRoutes(super.forRoot(options as typeof POLAR_OPTIONS_TYPE), shape);
  }

  /**
   * Configures the module from a factory, class or existing provider. Routes are fixed before the
   * factory runs: give `portal` (`false` or `{ path?, routeDecorators? }`) and `webhooks`
   * (`{ path?, routeDecorators? }`) at the top level, beside `isGlobal`; the factory supplies
   * everything else (token, webhook secrets, …).
   */
  static override forRootAsync(options: PolarModuleAsyncOptions): DynamicModule {
    const { portal, webhooks, checkout, ...asyncOptions } = options;
    const shape = routeShapeOf(POLAR_ROUTES, { portal, webhooks, checkout }, true);
    return withRoutes(super.forRootAsync(asyncOptions as typeof POLAR_ASYNC_OPTIONS_TYPE), shape);
  }
}

/** The controllers and providers of every route the shape mounts; nothing of a route that is off. */
function withRoutes(definition: DynamicModule, shape: PolarRouteShape): DynamicModule {
  const mounted = shape.routes.filter((entry) => entry.mount !== false);
  return {
    ...definition,
    controllers: [
      ...(definition.controllers ?? []),
      ...mounted.flatMap(({ route, mount }) =>
        mount ? createPolarRouteControllers(route, mount.path, mount.routeDecorators) : [],
      ),
    ],
    providers: [
      ...(definition.providers ?? []),
      { provide: POLAR_ROUTE_SHAPE, useValue: shape },
      ...mounted.flatMap(({ route }) => route.providers),
    ],
  };
}
