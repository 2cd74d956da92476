import type { CanActivate, Provider, Type } from '@nestjs/common';
import type { PolarResolvedOptions, PolarRouteKey } from '../interfaces/polar-module-options.interface.js';

/** What answers one route's requests: an injectable the route's controller hands the request to. */
export interface PolarRouteHandler {
  /** Answers the request through the HTTP adapter (`@Res()`), on Express and Fastify alike. */
  handle(request: unknown, response: unknown): Promise<void>;
}

/** One endpoint of a route: a method at a path below the route's path, answered by its handler. */
export interface PolarRouteEndpoint {
  /** Name of the controller class Nest logs, e.g. `PolarCheckoutSuccessController`. */
  controllerName: string;
  /** Path below the route's path (`':plan'`, `'success'`). @default '' (the route's path itself) */
  subPath?: string;
  method: 'GET' | 'POST';
  /** The injectable that answers (listed in the route's `providers` too). */
  handler: Type<PolarRouteHandler>;
  /** The endpoint's own guards, run after `no-store` is set and before the handler. @default [] */
  guards?: Array<Type<CanActivate>>;
}

/**
 * One route of PolarModule, declared in its own folder and listed once in `POLAR_ROUTES`
 * (polar.module.ts). The module builds its controllers with `createPolarRouteControllers` and
 * resolves its options with `resolveOptions`; nothing else knows the route.
 */
export interface PolarRouteDefinition<K extends PolarRouteKey = PolarRouteKey> extends PolarRouteEndpoint {
  /** The option key of the route in `PolarModuleOptions` (and in the route shape of `forRootAsync`). */
  key: K;
  /** Path when the options give none. */
  defaultPath: string;
  /** `true`: registered unless the option is `false` (portal); `false`: only when the option is given (webhooks). */
  registeredByDefault: boolean;
  /** Keep the route's URL when the app turns on API versioning (a URL registered elsewhere). @default false */
  versionNeutral?: boolean;
  /**
   * More endpoints of the route, each its own controller, registered before the main one so that
   * a fixed sub-path (`success`) wins over a parameter (`:plan`) on every adapter. @default []
   */
  endpoints?: PolarRouteEndpoint[];
  /** Decorators of the route's own, applied to the controller class and its handler (e.g. metadata). */
  decorators?: Array<ClassDecorator & MethodDecorator>;
  /** Providers the route adds to PolarModule. */
  providers: Provider[];
  /** Validates this route's options and applies every default (pure; runs once, at start-up). */
  resolveOptions(options: unknown, path: string): Exclude<PolarResolvedOptions[K], false>;
}
