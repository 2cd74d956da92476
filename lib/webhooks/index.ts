export { OnPolarEvent } from './on-polar-event.decorator.js';
export { isPolarWebhookRoute } from './webhooks.route-metadata.js';
export type { PolarWebhooksRouteExtras } from '../interfaces/polar-webhooks-options.interface.js';
export { POLAR_WEBHOOK_ROUTE_METADATA } from './webhooks.constants.js';
export type { PolarWebhookDedupeStore } from '../interfaces/polar-webhook-dedupe-store.interface.js';
export { PolarMemoryDedupeStore, type PolarMemoryDedupeStoreOptions } from './memory-dedupe.store.js';
export {
  PolarCacheManagerDedupeStore,
  type PolarAtomicClaims,
  type PolarCacheLike,
  type PolarCacheManagerDedupeStoreOptions,
} from './cache-manager-dedupe.store.js';
export type {
  PolarUnknownWebhookEvent,
  PolarWebhookDelivery,
  PolarWebhookEvent,
  PolarWebhookEventOf,
  PolarWebhookEventSelector,
  PolarWebhookEventType,
  PolarWebhookHandlerFn,
} from './webhooks.types.js';
export type { PolarWebhookDedupeOptions } from '../interfaces/polar-webhooks-options.interface.js';
