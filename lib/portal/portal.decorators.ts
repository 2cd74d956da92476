import { applyDecorators, UseGuards } from '@nestjs/common';
import { PolarPortalGuard } from './portal.guard.js';

/**
 * Protects the portal handler: the app's `portal.guards`, then the customer resolver.
 * @example @Get() @PolarPortalGuarded() open() {}
 */
export function PolarPortalGuarded(): MethodDecorator & ClassDecorator {
  return applyDecorators(UseGuards(PolarPortalGuard));
}
