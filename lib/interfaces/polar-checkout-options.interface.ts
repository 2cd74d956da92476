import type { CanActivate, Type } from '@nestjs/common';
import type { PolarMetadata, PolarPlan, PolarResolvedPlan } from './polar-plans.interface.js';
import type { PolarPortalResponseMode } from './polar-portal-options.interface.js';
import type { PolarReturnUrlOptions, PolarReturnUrlSettings } from './polar-return-url-options.interface.js';

/**
 * A dynamic catalogue: the plan of this name, or null/undefined when the app does not sell it
 * (404). Consulted for names the `plans` option does not have; runs under `customerTimeoutMs`.
 */
export type PolarPlanResolverFn = (
  name: string,
) => PolarPlan | null | undefined | Promise<PolarPlan | null | undefined>;

/**
 * The app's metadata of one checkout (e.g. a referral code from the app's session, never read
 * from the client's query unchecked). Runs under `customerTimeoutMs`; merged over the plan's.
 */
export type PolarCheckoutMetadataFn = (
  request: any, // eslint-disable-line @typescript-eslint/no-explicit-any -- Express or Fastify request
  plan: PolarResolvedPlan,
) => PolarMetadata | Promise<PolarMetadata>;

/** Options of the checkout routes (`checkout` in the PolarModule options); off unless given. */
export interface PolarCheckoutOptions extends PolarReturnUrlOptions {
  /**
   * Route path: `GET`/`POST <path>/:plan` and `GET <path>/success`. In `forRootAsync` give
   * `checkout: { path }` at the top level of the async options.
   * @default 'billing/checkout'
   */
  path?: string;
  /**
   * The app's auth guards, run in order before the customer resolver (e.g. `[JwtAuthGuard]`). A
   * guard returning false answers 403.
   * @default []
   */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /**
   * Sell to visitors nobody signed in as: the checkout asks Polar's page for the e-mail. Off, a
   * request without a customer is 401 and nothing reaches Polar.
   * @default false
   */
  allowAnonymous?: boolean;
  /**
   * Where `GET <path>/success` sends the customer once their paid checkout is verified: a path of
   * the app (resolved against the app origin) or an absolute http(s) URL.
   * @default '/'
   */
  successPage?: string;
  /**
   * `'negotiate'`: JSON `{ url, client_secret, expires_at }` (what the embedded checkout needs)
   * when the client accepts `application/json` before `text/html`, else a 303 redirect;
   * `'redirect'` or `'json'` always.
   * @default 'negotiate'
   */
  respondWith?: PolarPortalResponseMode;
  /**
   * Mirrors the organization's "allow multiple subscriptions" setting in Polar. Off (Polar's
   * default), a customer with any billable subscription is sent to the portal instead of a
   * checkout Polar would refuse; on, only one already subscribed to this plan is.
   * @default false
   */
  allowMultipleSubscriptions?: boolean;
  /** A dynamic catalogue, for plan names `plans` does not list. @default undefined (only `plans`) */
  resolvePlan?: PolarPlanResolverFn;
  /** The app's metadata of each checkout. @default undefined (the plan's metadata only) */
  metadata?: PolarCheckoutMetadataFn;
}

/** The checkout options validated and with every default applied (`checkout` of `PolarResolvedOptions`). */
export interface PolarCheckoutConfig extends PolarReturnUrlSettings {
  /** Route path, normalised. */
  path: string;
  guards: Array<Type<CanActivate> | CanActivate>;
  allowAnonymous: boolean;
  /** An absolute URL, or a path resolved per request when `appOrigin` is not set. */
  successPage: string;
  respondWith: PolarPortalResponseMode;
  allowMultipleSubscriptions: boolean;
  resolvePlan: PolarPlanResolverFn | undefined;
  metadata: PolarCheckoutMetadataFn | undefined;
}
