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
import type { PolarRouteDefinition, PolarRouteEndpoint, PolarRouteHandler } from './route-definition.js';

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
 * The controllers of one route mounted at `path`: its further endpoints first (a fixed sub-path
 * must be registered before a parameter that would match it), then its main endpoint.
 */
export function createPolarRouteControllers(
  route: PolarRouteDefinition,
  path: string,
  routeDecorators: readonly MethodDecorator[] = [],
): Type[] {
  return [...(route.endpoints ?? []), route].map((endpoint) =>
    createPolarRouteController(route, endpoint, path, routeDecorators),
  );
}

/**
 * Builds the controller of one endpoint of a route mounted at `path`: the route's guards after `no-store`, its own
 * decorators, the app's `routeDecorators`, and PolarExceptionFilter. Made in a factory because the
 * path is an option: every decorator is applied here, to the class just made, before Nest reads it;
 * no controller metadata is changed at run time.
 */
function createPolarRouteController(
  route: PolarRouteDefinition,
  endpoint: PolarRouteEndpoint,
  path: string,
  routeDecorators: readonly MethodDecorator[],
): Type {
  const fullPath = endpoint.subPath ? `${path}/${endpoint.subPath}` : path;
  @Controller(route.versionNeutral ? { path: fullPath, version: VERSION_NEUTRAL } : { path: fullPath })
  @UseFilters(PolarExceptionFilter)
  class PolarRouteController {
    constructor(@Inject(endpoint.handler) private readonly handler: PolarRouteHandler) {}

    // @Res() and the adapter's reply: the status depends on the outcome (a redirect, 200 or 202).
    async handle(@Req() request: unknown, @Res() response: unknown): Promise<void> {
      await this.handler.handle(request, response);
    }
  }

  const own = route.decorators ?? [];
  const prototype = PolarRouteController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'handle') as PropertyDescriptor;
  const handlerDecorators: MethodDecorator[] = [
    endpoint.method === 'GET' ? Get() : Post(),
    UseGuards(PolarNoStoreGuard, ...(endpoint.guards ?? [])),
    ...own,
    ...routeDecorators,
  ];
  Object.defineProperty(prototype, 'handle', Reflect.decorate(handlerDecorators, prototype, 'handle', descriptor));
  Reflect.decorate(own, PolarRouteController);
  Object.defineProperty(PolarRouteController, 'name', { value: endpoint.controllerName });
  return PolarRouteController;
}
