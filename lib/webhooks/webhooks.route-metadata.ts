import type { ExecutionContext } from '@nestjs/common';
import { POLAR_WEBHOOK_ROUTE_METADATA } from './webhooks.constants.js';

/**
 * Whether the request being guarded is Polar's webhook route; call it first in a global auth guard,
 * since Polar authenticates with the signature, not with your users' credentials.
 * @example
 * ```ts
 * canActivate(context: ExecutionContext) {
 *   if (isPolarWebhookRoute(context)) return true;
 *   // …your checks
 * }
 * ```
 */
export function isPolarWebhookRoute(context: ExecutionContext): boolean {
  const handler = context.getHandler?.();
  const target = context.getClass?.();
  return (
    (!!handler && Reflect.getMetadata(POLAR_WEBHOOK_ROUTE_METADATA, handler) === true) ||
    (!!target && Reflect.getMetadata(POLAR_WEBHOOK_ROUTE_METADATA, target) === true)
  );
}
