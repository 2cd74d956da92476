import type { ConfigurableModuleAsyncOptions } from '@nestjs/common';
import type { PolarCheckoutConfig, PolarCheckoutOptions } from './polar-checkout-options.interface.js';
import type { PolarCustomerResolverOption } from './polar-customer-resolver.interface.js';
import type { PolarEntitlementsConfig, PolarEntitlementsOptions } from './polar-entitlements-options.interface.js';
import type { PolarPlans, PolarResolvedPlans } from './polar-plans.interface.js';
import type { PolarPortalConfig, PolarPortalOptions } from './polar-portal-options.interface.js';
import type { PolarUsageConfig, PolarUsageOptions } from './polar-usage-options.interface.js';
import type {
  PolarRouteExtras,
  PolarWebhooksConfig,
  PolarWebhooksOptions,
} from './polar-webhooks-options.interface.js';

/** Which Polar deployment the SDK talks to. */
export type PolarEnvironment = 'production' | 'sandbox';

/** Options of `PolarModule.forRoot()` / the factory result of `PolarModule.forRootAsync()`. */
export interface PolarModuleOptions {
  /** Organization access token (`polar_oat_…`). Required. Never logged. */
  accessToken: string;
  /**
   * Polar deployment. Sandbox and production tokens are separate.
   * @default 'production'
   */
  environment?: PolarEnvironment;
  /**
   * API base URL (http or https); wins over `environment` (the emulator, a proxy).
   * @default 'https://api.polar.sh' (production) or 'https://sandbox-api.polar.sh' (sandbox)
   */
  baseUrl?: string;
  /**
   * Time allowed for one request to Polar, in milliseconds. A timeout answers 504.
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * Time allowed for one call into a store outside this process (the `'cache-manager'` or your own
   * store of `webhooks.dedupe` and `portal.sessionReuse`), in milliseconds. Past it the portal asks
   * Polar without reuse and a webhook delivery is answered 503 (see "When a store or app code hangs").
   * @default 1500
   */
  storeTimeoutMs?: number;
  /**
   * After a call into such a store fails or passes `storeTimeoutMs`, how long that store is skipped
   * (answered as unavailable at once: the portal asks Polar without reuse, a webhook delivery is
   * answered 503) before one call probes it again, in milliseconds. An outage then costs a request
   * at most one `storeTimeoutMs`, and reuse and dedupe resume by themselves within this long of the
   * store coming back.
   * @default 5000
   */
  storeBackoffMs?: number;
  /**
   * Time allowed for the `customer` resolver, and for each app guard of a module route, in
   * milliseconds. Past it the request is answered 503 `polar_portal_resolver_timeout`.
   * @default 5000
   */
  customerTimeoutMs?: number;
  /** Sends `Polar-Organization` for tokens that reach several organizations. @default undefined */
  organizationId?: string;
  /**
   * How many times a read (GET) is retried on 429, 5xx or a network failure, honouring
   * `retry-after` up to 3 s. Writes are never retried blindly.
   * @default 2
   */
  readRetries?: number;
  /**
   * Who the signed-in customer is, for every route and guard that needs one (the portal today): a
   * function or an injectable class implementing `PolarCustomerResolver`. The default reads
   * `request.user`: `String(user.id)` as the external customer id, and `user.email` / `user.name`
   * when they are strings; no user → 401.
   * @default the request.user resolver
   */
  customer?: PolarCustomerResolverOption;
  /**
   * The plans the app sells, by name: what the checkout route sells and the entitlement guards
   * check (`{ pro: { products: ['<monthly id>', '<yearly id>'] } }`). Clients only ever name a plan.
   * @default {} (no plan)
   */
  plans?: PolarPlans;
  /**
   * How `PolarUsageRecorder` (and `@TrackUsage`) buffer, batch and send usage events to
   * `events.ingest` (see docs/usage.md for every field and its default).
   * @default {} (memory buffer, batches of 1000 or every 1 s)
   */
  usage?: PolarUsageOptions;
  /**
   * The customer-state cache behind `@RequiresSubscription()`, `@RequiresBenefit()`,
   * `@RequiresMeterBalance()` and `PolarCustomerStateService` (docs/entitlements.md).
   * @default {} (in-process cache, 60 s fresh, serve-stale up to 1 h when Polar is down)
   */
  entitlements?: PolarEntitlementsOptions;
  /** The `GET /billing/portal` route; `false` to not register it. @default {} (registered) */
  portal?: PolarPortalOptions | false;
  /** The webhook route; off unless given. @default undefined (no route) */
  webhooks?: PolarWebhooksOptions;
  /** The checkout routes (`/billing/checkout/:plan`, `/billing/checkout/success`); off unless given. @default undefined */
  checkout?: PolarCheckoutOptions;
}

/** Options of `PolarModule.forRoot()`: the module options, `isGlobal`, and each route's `routeDecorators`. */
export type PolarModuleForRootOptions = PolarModuleOptions & {
  /** Registers the module globally. @default false */
  isGlobal?: boolean;
  /** As in `PolarModuleOptions`, plus `routeDecorators` applied to the portal handler. */
  portal?: (PolarPortalOptions & PolarRouteExtras) | false;
  /** As in `PolarModuleOptions`, plus `routeDecorators` applied to the webhook handler. */
  webhooks?: PolarWebhooksOptions & PolarRouteExtras;
  /** As in `PolarModuleOptions`, plus `routeDecorators` applied to every checkout handler. */
  checkout?: PolarCheckoutOptions & PolarRouteExtras;
};

/**
 * Route shape of `forRootAsync`: routes are fixed when the module is defined, before any factory
 * runs, so these sit at the top level of the async options (beside `isGlobal`).
 */
export interface PolarRouteShapeOptions {
  /**
   * `false` removes the portal route; `{ path }` moves it; `routeDecorators` are applied to its
   * handler (e.g. your `@SkipThrottle()`). @default { path: 'billing/portal' }
   */
  portal?: false | ({ path?: string } & PolarRouteExtras);
  /**
   * Registers the webhook route (its secrets come from the factory); `routeDecorators` are applied
   * to its handler (e.g. your `@Public()`). @default undefined (no route)
   */
  webhooks?: { path?: string } & PolarRouteExtras;
  /**
   * Registers the checkout routes (the rest of their options come from the factory);
   * `routeDecorators` are applied to their handlers. @default undefined (no route)
   */
  checkout?: { path?: string } & PolarRouteExtras;
}

/** The option key of each route of the module (`portal`, `webhooks`, `checkout`). */
export type PolarRouteKey = keyof PolarRouteShapeOptions;

/** Options of `PolarModule.forRootAsync()`. */
export type PolarModuleAsyncOptions = ConfigurableModuleAsyncOptions<PolarModuleOptions, 'createPolarOptions'> &
  PolarRouteShapeOptions & {
    /** Registers the module globally. @default false */
    isGlobal?: boolean;
  };

/** A class that builds the options for `forRootAsync({ useClass })`. */
export interface PolarOptionsFactory {
  /** Returns the module options (may be async). */
  createPolarOptions(): PolarModuleOptions | Promise<PolarModuleOptions>;
}

/** The module options with every default applied, as provided under `POLAR_RESOLVED_OPTIONS`. */
export interface PolarResolvedOptions {
  /** Organization access token. Never logged. */
  accessToken: string;
  /** Polar deployment. */
  environment: PolarEnvironment;
  /** Effective API base URL (the given `baseUrl`, else the environment's), without trailing slash. */
  baseUrl: string;
  /** Request timeout in milliseconds. */
  timeoutMs: number;
  /** Deadline of one store call, in milliseconds. */
  storeTimeoutMs: number;
  /** How long a store that failed is skipped before it is probed again, in milliseconds. */
  storeBackoffMs: number;
  /** Deadline of the customer resolver and of each app guard, in milliseconds. */
  customerTimeoutMs: number;
  /** `Polar-Organization` header value, if any. */
  organizationId: string | undefined;
  /** Retries of a read on 429, 5xx or a network failure. */
  readRetries: number;
  /** The customer resolver (the module's, else the deprecated `portal.customer`); undefined for `request.user`. */
  customer: PolarCustomerResolverOption | undefined;
  /** The configured plans, by name (frozen). */
  plans: PolarResolvedPlans;
  /** Usage recording, resolved. */
  usage: PolarUsageConfig;
  /** The customer-state cache and entitlement guards, resolved. */
  entitlements: PolarEntitlementsConfig;
  /** Portal route options, resolved, or `false` when the route is off. */
  portal: PolarPortalConfig | false;
  /** Webhook route options, resolved, or `false` when the route is off. */
  webhooks: PolarWebhooksConfig | false;
  /** Checkout route options, resolved, or `false` when the routes are off. */
  checkout: PolarCheckoutConfig | false;
}
