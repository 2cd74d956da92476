import {
  DEFAULT_PORTAL_PATH,
  DEFAULT_READ_RETRIES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WEBHOOKS_PATH,
  POLAR_API_URLS,
} from '../polar.constants.js';
import { MAX_TIMER_MS, positiveMilliseconds } from '../common/option-rules.js';
import { resolveCustomerResolverOption } from '../customer-identity/customer-identity.config.js';
import { failOption } from '../errors/polar-configuration.error.js';
import { resolvePortalConfig } from '../portal/portal.config.js';
import { resolveWebhooksConfig } from '../webhooks/webhooks.config.js';
import type {
  PolarModuleOptions,
  PolarResolvedOptions,
  PolarRouteShapeOptions,
} from '../interfaces/polar-module-options.interface.js';

/** Which routes the module registers, fixed when the module is defined. */
export interface PolarRouteShape {
  /** Portal route path, or `false` when off. */
  portalPath: string | false;
  /** Webhook route path, or `false` when off. */
  webhooksPath: string | false;
  /** `true` for forRootAsync: the factory result may not change the route shape. */
  fromAsyncDefinition: boolean;
  /** Decorators for the webhook handler, given when the module is defined. */
  webhooksRouteDecorators: MethodDecorator[];
}

const fail = failOption;

/** Normalises a route path ("/billing/portal/" → "billing/portal"). */
export function normalizeRoutePath(option: string, path: unknown, fallback: string): string {
  if (path === undefined) return fallback;
  if (typeof path !== 'string') return fail(option, 'must be a string');
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '' || /[\s?#]/.test(trimmed)) {
    return fail(option, 'must be a non-empty route path without spaces, "?" or "#"');
  }
  return trimmed;
}

/** The route shape of `forRoot(options)` or of the top level of `forRootAsync(options)`. */
export function routeShapeOf(shape: PolarRouteShapeOptions, fromAsyncDefinition: boolean): PolarRouteShape {
  const { portal, webhooks } = shape;
  if (portal !== undefined && portal !== false && (typeof portal !== 'object' || portal === null)) {
    fail('portal', 'must be false or an object');
  }
  if (webhooks !== undefined && (typeof webhooks !== 'object' || webhooks === null)) {
    fail('webhooks', 'must be an object');
  }
  return {
    portalPath: portal === false ? false : normalizeRoutePath('portal.path', portal?.path, DEFAULT_PORTAL_PATH),
    webhooksPath: webhooks ? normalizeRoutePath('webhooks.path', webhooks.path, DEFAULT_WEBHOOKS_PATH) : false,
    fromAsyncDefinition,
    webhooksRouteDecorators: webhooks?.routeDecorators ?? [],
  };
}

/** Validates the options and merges every default, once, for forRoot and forRootAsync alike. */
export function resolvePolarOptions(options: PolarModuleOptions, shape: PolarRouteShape): PolarResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    return fail('options', 'must be an object (the forRootAsync factory returned nothing?)');
  }
  const { accessToken, environment = 'production', baseUrl, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const { organizationId, readRetries = DEFAULT_READ_RETRIES } = options;

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
  if (organizationId !== undefined && (typeof organizationId !== 'string' || organizationId.trim() === '')) {
    fail('organizationId', 'must be a non-empty string when given');
  }
  if (!Number.isInteger(readRetries) || readRetries < 0 || readRetries > 10) {
    fail('readRetries', 'must be an integer from 0 to 10');
  }

  return {
    accessToken,
    environment,
    baseUrl: resolvedBaseUrl,
    timeoutMs,
    organizationId,
    readRetries,
    customer: resolveCustomerResolverOption(options.customer, options.portal ? options.portal.customer : undefined),
    portal: resolvePortal(options, shape),
    webhooks: resolveWebhooks(options, shape),
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

function resolvePortal(options: PolarModuleOptions, shape: PolarRouteShape): PolarResolvedOptions['portal'] {
  const { portal } = options;
  if (portal !== undefined && portal !== false && (typeof portal !== 'object' || portal === null)) {
    return fail('portal', 'must be false or an object');
  }
  if (shape.portalPath === false) return false;
  if (shape.fromAsyncDefinition) {
    if (portal === false) {
      return fail(
        'portal',
        'false must be given at the top level of forRootAsync (routes are fixed before the factory runs)',
      );
    }
    if (portal?.path !== undefined && normalizeRoutePath('portal.path', portal.path, '') !== shape.portalPath) {
      return fail(
        'portal.path',
        'must be given at the top level of forRootAsync (routes are fixed before the factory runs)',
      );
    }
  }
  return resolvePortalConfig(portal || {}, shape.portalPath);
}

function resolveWebhooks(options: PolarModuleOptions, shape: PolarRouteShape): PolarResolvedOptions['webhooks'] {
  const { webhooks } = options;
  if (webhooks !== undefined && (typeof webhooks !== 'object' || webhooks === null)) {
    return fail('webhooks', 'must be an object');
  }
  if (shape.webhooksPath === false) {
    if (webhooks) {
      return fail(
        'webhooks',
        'must also be given at the top level of forRootAsync (e.g. webhooks: {}) to register the route',
      );
    }
    return false;
  }
  if (shape.fromAsyncDefinition && webhooks?.path !== undefined) {
    if (normalizeRoutePath('webhooks.path', webhooks.path, '') !== shape.webhooksPath) {
      return fail(
        'webhooks.path',
        'must be given at the top level of forRootAsync (routes are fixed before the factory runs)',
      );
    }
  }
  return resolveWebhooksConfig(webhooks, shape.webhooksPath);
}
