import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  Post,
  Req,
  Res,
  type Type,
  UseFilters,
  UseGuards,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PolarExceptionFilter } from '../errors/polar-exception.filter.js';
import type { PolarRouteDefinition, PolarRouteHandler } from './route-definition.js';

/**
 * Marks every answer of a Polar route private before anything of the route can run or fail, so no
 * answer (a portal URL, a 401, a Polar error) is ever stored by a cache or leaks through a Referer.
 */
@Injectable()
export class PolarNoStoreGuard implements CanActivate {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  canActivate(context: ExecutionContext): boolean {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = context.switchToHttp().getResponse();
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    adapter.setHeader(response, 'Referrer-Policy', 'no-referrer');
    return true;
  }
}

/**
 * Builds the controller of one route for `path`: the route's guards after `no-store`, its own
 * decorators, the app's `routeDecorators`, and PolarExceptionFilter. Made in a factory because the
 * path is an option: every decorator is applied here, to the class just made, before Nest reads it;
 * no controller metadata is changed at run time.
 */
export function createPolarRouteController(
  route: PolarRouteDefinition,
  path: string,
  routeDecorators: readonly MethodDecorator[] = [],
): Type {
  @Controller(route.versionNeutral ? { path, version: VERSION_NEUTRAL } : { path })
  @UseFilters(PolarExceptionFilter)
  class PolarRouteController {
    constructor(@Inject(route.handler) private readonly handler: PolarRouteHandler) {}

    // @Res() and the adapter's reply: the status depends on the outcome (a redirect, 200 or 202).
    async handle(@Req() request: unknown, @Res() response: unknown): Promise<void> {
      await this.handler.handle(request, response);
    }
  }

  const own = route.decorators ?? [];
  const prototype = PolarRouteController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'handle') as PropertyDescriptor;
  const handlerDecorators: MethodDecorator[] = [
    route.method === 'GET' ? Get() : Post(),
    UseGuards(PolarNoStoreGuard, ...(route.guards ?? [])),
    ...own,
    ...routeDecorators,
  ];
  Object.defineProperty(prototype, 'handle', Reflect.decorate(handlerDecorators, prototype, 'handle', descriptor));
  Reflect.decorate(own, PolarRouteController);
  Object.defineProperty(PolarRouteController, 'name', { value: route.controllerName });
  return PolarRouteController;
}
