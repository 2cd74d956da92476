import type { CanActivate, Type } from '@nestjs/common';
import type { PolarCustomerResolverOption } from './polar-customer-resolver.interface.js';
import type { PolarReturnUrlOptions, PolarReturnUrlSettings } from './polar-return-url-options.interface.js';
import type { PolarSessionReuseConfig, PolarSessionReuseOptions } from './polar-session-reuse-options.interface.js';

/** How the route answers a successful request. */
export type PolarPortalResponseMode = 'negotiate' | 'redirect' | 'json';

/** Options of the customer-portal route (`portal` in the PolarModule options). */
export interface PolarPortalOptions extends PolarReturnUrlOptions {
  /**
   * Route path. In `forRootAsync` the route shape is fixed when the module is defined: give
   * `portal: { path }` (or `portal: false`) at the top level of the async options.
   * @default 'billing/portal'
   */
  path?: string;
  /**
   * Who the customer is, for the portal only.
   * @deprecated give `customer` at the top level of the module options: one resolver for every
   * route and guard. Still honoured when the top-level option is not given.
   */
  customer?: PolarCustomerResolverOption;
  /**
   * The app's auth guards, run in order before the resolver (e.g. `[JwtAuthGuard]`), so that
   * `request.user` is set. Classes are taken from the app's providers or instantiated; instances
   * are used as given. A guard returning false answers 403, as in Nest.
   * @default []
   */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /**
   * Create the customer (through `CustomersService.ensure`) when Polar does not know it yet; needs
   * an `externalCustomerId` and an `email` from the resolver. Otherwise an unknown customer is 404.
   * @default false
   */
  createCustomerIfMissing?: boolean;
  /**
   * `'negotiate'`: JSON `{ url, expires_at }` when the client accepts `application/json` before
   * `text/html`, else a 303 redirect; `'redirect'` or `'json'` always.
   * @default 'negotiate'
   */
  respondWith?: PolarPortalResponseMode;
  /**
   * Hand a customer's live portal session out again instead of asking Polar for a new one, keyed
   * by customer, member and return URL, until `safetyMarginSeconds` before it expires. Concurrent
   * requests for the same key share one call to Polar. Deleting a customer through
   * `CustomersService` drops its sessions. `true` means `{}` (in-memory store).
   * @default false
   */
  sessionReuse?: boolean | PolarSessionReuseOptions;
}

/** The portal options validated and with every default applied (`portal` of `PolarResolvedOptions`). */
export interface PolarPortalConfig extends PolarReturnUrlSettings {
  /** Route path, normalised. */
  path: string;
  guards: Array<Type<CanActivate> | CanActivate>;
  createCustomerIfMissing: boolean;
  respondWith: PolarPortalResponseMode;
  sessionReuse: PolarSessionReuseConfig;
}
