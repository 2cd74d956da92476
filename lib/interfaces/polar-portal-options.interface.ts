import type { CanActivate, Type } from '@nestjs/common';
import type { PolarCustomerResolverOption } from './polar-customer-resolver.interface.js';
import type { PolarSessionReuseConfig, PolarSessionReuseOptions } from './polar-session-reuse-options.interface.js';

/** How the route answers a successful request. */
export type PolarPortalResponseMode = 'negotiate' | 'redirect' | 'json';

/** Options of the customer-portal route (`portal` in the PolarModule options). */
export interface PolarPortalOptions {
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
   * Where Polar's portal links back to when the request has no `return_url`: a path of the app
   * (`/account`, resolved against the app origin) or an absolute http(s) URL.
   * @default undefined (the portal shows no link back)
   */
  defaultReturnUrl?: string;
  /**
   * The app's public origin (`https://app.example.com`): relative return paths resolve against it,
   * and absolute return URLs on it are accepted. Without it, relative paths resolve against the
   * origin the HTTP adapter reports for the request (set `trust proxy` behind a proxy).
   * @default undefined (the request's own origin)
   */
  appOrigin?: string;
  /**
   * Other origins a `return_url` query parameter may point at, exactly (`https://shop.example.com`;
   * no wildcards, no paths).
   * @default []
   */
  allowedReturnOrigins?: string[];
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
export interface PolarPortalConfig {
  /** Route path, normalised. */
  path: string;
  guards: Array<Type<CanActivate> | CanActivate>;
  /** An absolute URL, normalised (a path is resolved here when `appOrigin` is set), or a path resolved per request. */
  defaultReturnUrl: string | undefined;
  /** What the return-URL policy checks against: the app origin and the other allowed origins, normalised. */
  returnUrlPolicy: { appOrigin?: string; allowedOrigins: ReadonlySet<string> };
  createCustomerIfMissing: boolean;
  respondWith: PolarPortalResponseMode;
  sessionReuse: PolarSessionReuseConfig;
}
