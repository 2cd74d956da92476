import { MAX_TIMER_MS, normalizeRoutePath, positiveMilliseconds } from './common/option-rules.js';

export { normalizeRoutePath };
import type { PolarRouteDefinition } from './common/route-definition.js';
import { resolvePlans } from './plans/plans.config.js';
import { resolveUsageConfig } from './usage/usage.config.js';
import { resolveEntitlementsConfig } from './entitlements/entitlements.config.js';
import { resolveCustomerResolverOption } from './customer-identity/customer-identity.config.js';
import { failOption as fail } from './errors/polar-configuration.error.js';
import type {
  PolarModuleOptions,
  PolarResolvedOptions,
  PolarRouteKey,
  PolarRouteShapeOptions,
} from './interfaces/polar-module-options.interface.js';
import {
  DEFAULT_CUSTOMER_TIMEOUT_MS,
  DEFAULT_READ_RETRIES,
  DEFAULT_STORE_BACKOFF_MS,
  DEFAULT_STORE_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  POLAR_API_URLS,
} from './polar.constants.js';

/** One route as the module definition fixes it: its path and the app's handler decorators, or off. */
export type PolarRouteMount = { path: string; routeDecorators: MethodDecorator[] } | false;

/** Which routes the module registers, fixed when the module is defined. */
export interface PolarRouteShape {
  /** Every route of the module, each with its mount. */
  routes: Array<{ route: PolarRouteDefinition; mount: PolarRouteMount }>;
  /** `true` for forRootAsync: the factory result may not change the route shape. */
  fromAsyncDefinition: boolean;
}

/** An object, or `false` where the route can be switched off; the rule named as the route's. */
function checkRouteOption(route: PolarRouteDefinition, value: unknown): void {
  if (value === undefined || (value === false && route.registeredByDefault)) return;
  if (typeof value !== 'object' || value === null) {
    fail(route.key, route.registeredByDefault ? 'must be false or an object' : 'must be an object');
  }
}

/** The route shape of `forRoot(options)` or of the top level of `forRootAsync(options)`. */
export function routeShapeOf(
  routes: readonly PolarRouteDefinition[],
  shape: PolarRouteShapeOptions,
  fromAsyncDefinition: boolean,
): PolarRouteShape {
  return {
    fromAsyncDefinition,
    routes: routes.map((route) => {
      const given = shape[route.key];
      checkRouteOption(route, given);
      const on = route.registeredByDefault ? given !== false : given !== undefined;
      const mount: PolarRouteMount =
        on && given !== false
          ? {
              path: normalizeRoutePath(`${route.key}.path`, given?.path, route.defaultPath),
              routeDecorators: [...(given?.routeDecorators ?? [])],
            }
          : false;
      return { route, mount };
    }),
  };
}

/** Validates the options and merges every default, once, for forRoot and forRootAsync alike. */
export function resolvePolarOptions(options: PolarModuleOptions, shape: PolarRouteShape): PolarResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    return fail('options', 'must be an object (the forRootAsync factory returned nothing?)');
  }
  const { accessToken, environment = 'production', baseUrl, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const { organizationId, readRetries = DEFAULT_READ_RETRIES } = options;
  const { storeTimeoutMs = DEFAULT_STORE_TIMEOUT_MS, customerTimeoutMs = DEFAULT_CUSTOMER_TIMEOUT_MS } = options;
  const { storeBackoffMs = DEFAULT_STORE_BACKOFF_MS } = options;

  if (typeof accessToken !== 'string' || accessToken.trim() === '') {
    fail('accessToken', 'is required (an organization access token, polar_oat_…)');
  }
  // A stray newline from an env file would otherwise only fail on the first request (invalid header).
  if ([...accessToken].some((char) => /\s/.test(char) || char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
    fail('accessToken', 'must not contain whitespace or control characters');
  }
  if (environment !== 'production' && environment !== 'sandbox') {
    fail('environment', 'must be "production" or "sandbox"');
  }
  const resolvedBaseUrl = baseUrl === undefined ? POLAR_API_URLS[environment] : checkBaseUrl(baseUrl);
  positiveMilliseconds(timeoutMs, 'timeoutMs', MAX_TIMER_MS);
  positiveMilliseconds(storeTimeoutMs, 'storeTimeoutMs', MAX_TIMER_MS);
  positiveMilliseconds(storeBackoffMs, 'storeBackoffMs', MAX_TIMER_MS);
  positiveMilliseconds(customerTimeoutMs, 'customerTimeoutMs', MAX_TIMER_MS);
  if (organizationId !== undefined && (typeof organizationId !== 'string' || organizationId.trim() === '')) {
    fail('organizationId', 'must be a non-empty string when given');
  }
  if (!Number.isInteger(readRetries) || readRetries < 0 || readRetries > 10) {
    fail('readRetries', 'must be an integer from 0 to 10');
  }

  const routes = {} as { [K in PolarRouteKey]: PolarResolvedOptions[K] };
  for (const { route, mount } of shape.routes) {
    (routes as Record<PolarRouteKey, unknown>)[route.key] = resolveRoute(route, mount, options, shape);
  }
  return {
    accessToken,
    environment,
    baseUrl: resolvedBaseUrl,
    timeoutMs,
    storeTimeoutMs,
    storeBackoffMs,
    customerTimeoutMs,
    organizationId,
    readRetries,
    customer: resolveCustomerResolverOption(options.customer, options.portal ? options.portal.customer : undefined),
    plans: resolvePlans(options.plans),
    usage: resolveUsageConfig(options.usage),
    entitlements: resolveEntitlementsConfig(options.entitlements),
    ...routes,
  };
}

function checkBaseUrl(baseUrl: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof baseUrl === 'string' ? new URL(baseUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    return fail('baseUrl', 'must be an absolute http(s) URL without query or fragment, e.g. https://api.polar.sh');
  }
  if (url.username || url.password) return fail('baseUrl', 'must not contain credentials');
  return url.href.replace(/\/+$/, '');
}

/** One route's options: the mount fixed at definition time, then the route's own resolver. */
function resolveRoute(
  route: PolarRouteDefinition,
  mount: PolarRouteMount,
  options: PolarModuleOptions,
  shape: PolarRouteShape,
): unknown {
  const given = (options as unknown as Record<string, unknown>)[route.key] as false | { path?: unknown } | undefined;
  checkRouteOption(route, given);
  if (mount === false) {
    if (given && !route.registeredByDefault) {
      return fail(
        route.key,
        `must also be given at the top level of forRootAsync (e.g. ${route.key}: {}) to register the route`,
      );
    }
    return false;
  }
  if (shape.fromAsyncDefinition) {
    if (given === false) {
      return fail(
        route.key,
        'false must be given at the top level of forRootAsync (routes are fixed before the factory runs)',
      );
    }
    if (given?.path !== undefined && normalizeRoutePath(`${route.key}.path`, given.path, '') !== mount.path) {
      return fail(
        `${route.key}.path`,
        'must be given at the top level of forRootAsync (routes are fixed before the factory runs)',
      );
    }
  }
  return route.resolveOptions(given || undefined, mount.path);
}
