import type { PolarRouteDefinition } from '../common/route-definition.js';
import type { PolarCheckoutOptions } from '../interfaces/polar-checkout-options.interface.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import { DEFAULT_CHECKOUT_PATH, POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import { POLAR_CHECKOUT_CONFIG, resolveCheckoutConfig } from './checkout.config.js';
import { PolarCheckoutGuard } from './checkout.guard.js';
import { PolarCheckoutHandler } from './checkout.handler.js';
import { PolarCheckoutService } from './checkout.service.js';
import { PolarCheckoutSuccessHandler } from './checkout-success.handler.js';

/**
 * `GET`/`POST /billing/checkout/:plan` (sells a configured plan to the signed-in customer) and
 * `GET /billing/checkout/success` (where Polar sends them back). Registered when `checkout` is given.
 */
export const checkoutRoute: PolarRouteDefinition<'checkout'> = {
  key: 'checkout',
  controllerName: 'PolarCheckoutController',
  defaultPath: DEFAULT_CHECKOUT_PATH,
  registeredByDefault: false,
  subPath: ':plan',
  method: 'GET',
  handler: PolarCheckoutHandler,
  guards: [PolarCheckoutGuard],
  endpoints: [
    {
      controllerName: 'PolarCheckoutSuccessController',
      subPath: 'success',
      method: 'GET',
      handler: PolarCheckoutSuccessHandler,
      guards: [PolarCheckoutGuard],
    },
    {
      controllerName: 'PolarCheckoutFormController',
      subPath: ':plan',
      method: 'POST',
      handler: PolarCheckoutHandler,
      guards: [PolarCheckoutGuard],
    },
  ],
  providers: [
    {
      provide: POLAR_CHECKOUT_CONFIG,
      useFactory: (options: PolarResolvedOptions) => options.checkout,
      inject: [POLAR_RESOLVED_OPTIONS],
    },
    PolarCheckoutService,
    PolarCheckoutHandler,
    PolarCheckoutSuccessHandler,
  ],
  resolveOptions: (options, path) => resolveCheckoutConfig((options ?? {}) as PolarCheckoutOptions, path),
};
