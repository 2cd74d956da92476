import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PolarPortalService } from './portal.service.js';

/**
 * Runs the app's portal guards (`portal.guards`), then the customer resolver; answers 401 when
 * nobody is signed in. The guard list is read at start-up from the (possibly async) options, which
 * is why one guard runs them instead of a `@UseGuards()` list fixed when the class is declared.
 */
@Injectable()
export class PolarPortalGuard implements CanActivate {
  constructor(
    @Inject(PolarPortalService) private readonly portal: PolarPortalService,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Set before anything of the route can fail (no-store is set by the route's first guard), so
    // a cache keeps the redirect and the JSON answer apart.
    const response: unknown = context.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.setHeader(response, 'Vary', 'Accept');
    await this.portal.authorize(context);
    return true;
  }
}
