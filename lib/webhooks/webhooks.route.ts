import type { Provider, Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { PolarWebhooksRouteExtras } from '../interfaces/polar-webhooks-options.interface.js';
import { DEFAULT_WEBHOOKS_PATH } from '../polar.constants.js';
import { createPolarWebhooksController } from './webhooks.controller.js';
import { PolarWebhooksExplorer } from './webhooks.explorer.js';
import { PolarWebhooksProcessor } from './webhooks.processor.js';
import { webhooksDedupeStoreProvider } from './webhooks-dedupe.provider.js';

/**
 * Controllers and providers the webhook route adds to PolarModule; nothing when `path` is `false`.
 * The providers read `webhooks` from the resolved options (POLAR_RESOLVED_OPTIONS).
 */
export function webhooksRouteParts(
  path: string | false,
  extras: PolarWebhooksRouteExtras = {},
): { controllers: Type[]; providers: Provider[] } {
  if (path === false) return { controllers: [], providers: [] };
  return {
    controllers: [createPolarWebhooksController(path || DEFAULT_WEBHOOKS_PATH, extras.routeDecorators)],
    // DiscoveryService and MetadataScanner are what DiscoveryModule provides; listed here so the
    // module helper needs no extra import for this room.
    providers: [
      DiscoveryService,
      MetadataScanner,
      webhooksDedupeStoreProvider,
      PolarWebhooksExplorer,
      PolarWebhooksProcessor,
    ],
  };
}
