import type { CanActivate, ExecutionContext, Type } from '@nestjs/common';
import type { PolarSessionReuseConfig, PolarSessionReuseOptions } from './polar-session-reuse-options.interface.js';

/** Polar's own id of the customer (a UUID), e.g. stored by the app after creating the customer. */
export interface PolarPortalCustomerById {
  customerId: string;
  externalCustomerId?: never;
}

/** The app's own id for the customer (Polar's `external_id`), usually the app's user id. */
export interface PolarPortalCustomerByExternalId {
  externalCustomerId: string;
  customerId?: never;
}

/**
 * Who opens the portal, as the resolver answers it: exactly one customer id, optionally the team
 * member, and the email/name used by `createCustomerIfMissing`.
 */
export type PolarPortalCustomer = (PolarPortalCustomerById | PolarPortalCustomerByExternalId) & {
  /** Polar id of the member, for team customers (organizations with the member model). */
  memberId?: string;
  /** The app's id of the member, for team customers. */
  externalMemberId?: string;
  /** Email of a customer created by `createCustomerIfMissing`. */
  email?: string;
  /** Name of a customer created by `createCustomerIfMissing`. */
  name?: string;
};

/**
 * Finds the customer of the signed-in user. Return null (or undefined) when nobody is signed in:
 * the route answers 401 and nothing is sent to Polar. Read only what your auth put on the request
 * (e.g. `request.user`), never the query, body or headers a client controls.
 */
export type PolarCustomerResolverFn = (
  request: any, // eslint-disable-line @typescript-eslint/no-explicit-any -- Express or Fastify request
  context: ExecutionContext,
) => PolarPortalCustomer | null | undefined | Promise<PolarPortalCustomer | null | undefined>;

/**
 * An injectable customer resolver. Register the class as a provider in any module of the app and it
 * is taken from there (with its dependencies); otherwise PolarModule instantiates it, and then only
 * global providers can be injected into it.
 */
export interface PolarCustomerResolver {
  /** Same contract as `PolarCustomerResolverFn`. */
  resolve(
    request: any, // eslint-disable-line @typescript-eslint/no-explicit-any -- Express or Fastify request
    context: ExecutionContext,
  ): PolarPortalCustomer | null | undefined | Promise<PolarPortalCustomer | null | undefined>;
}

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
   * Who the customer is: a function or an injectable class implementing `PolarCustomerResolver`.
   * The default reads `request.user`: `String(user.id)` as the external customer id, and
   * `user.email` / `user.name` when they are strings; no user → 401.
   * @default the request.user resolver
   */
  customer?: PolarCustomerResolverFn | Type<PolarCustomerResolver>;
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
  /** The configured resolver, or undefined for the `request.user` default. */
  customer: PolarCustomerResolverFn | Type<PolarCustomerResolver> | undefined;
  guards: Array<Type<CanActivate> | CanActivate>;
  /** An absolute URL, normalised (a path is resolved here when `appOrigin` is set), or a path resolved per request. */
  defaultReturnUrl: string | undefined;
  /** What the return-URL policy checks against: the app origin and the other allowed origins, normalised. */
  returnUrlPolicy: { appOrigin?: string; allowedOrigins: ReadonlySet<string> };
  createCustomerIfMissing: boolean;
  respondWith: PolarPortalResponseMode;
  sessionReuse: PolarSessionReuseConfig;
}
