import { SetMetadata } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { PolarRouteDefinition } from '../common/route-definition.js';
import type { PolarWebhooksOptions } from '../interfaces/polar-webhooks-options.interface.js';
import { DEFAULT_WEBHOOKS_PATH } from '../polar.constants.js';
import { resolveWebhooksConfig } from './webhooks.config.js';
import { POLAR_WEBHOOK_ROUTE_METADATA } from './webhooks.constants.js';
import { webhooksDedupeStoreProvider } from './webhooks-dedupe.provider.js';
import { PolarWebhooksExplorer } from './webhooks.explorer.js';
import { PolarWebhooksHandler } from './webhooks.handler.js';
import { PolarWebhooksProcessor } from './webhooks.processor.js';

/** `POST /billing/webhooks`: verified, deduplicated Polar events to `@OnPolarEvent()` handlers. Off unless given. */
export const webhooksRoute: PolarRouteDefinition<'webhooks'> = {
  key: 'webhooks',
  controllerName: 'PolarWebhooksController',
  defaultPath: DEFAULT_WEBHOOKS_PATH,
  registeredByDefault: false,
  method: 'POST',
  // The URL registered in Polar must not move when the app turns on API versioning.
  versionNeutral: true,
  handler: PolarWebhooksHandler,
  // On the class and the handler, so an app's global auth guard can let Polar through (isPolarWebhookRoute).
  decorators: [SetMetadata(POLAR_WEBHOOK_ROUTE_METADATA, true)],
  // DiscoveryService and MetadataScanner are what DiscoveryModule provides; listed here so the
  // module needs no extra import for this route.
  providers: [
    DiscoveryService,
    MetadataScanner,
    webhooksDedupeStoreProvider,
    PolarWebhooksExplorer,
    PolarWebhooksProcessor,
    PolarWebhooksHandler,
  ],
  resolveOptions: (options, path) => resolveWebhooksConfig(options as PolarWebhooksOptions | undefined, path),
};
