import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PolarPortalService } from './portal.service.js';

/**
 * Marks the answer private, runs the app's portal guards (`portal.guards`), then the customer
 * resolver; answers 401 when nobody is signed in. The guard list is read at start-up from the (possibly async) options, which
 * is why one guard runs them instead of a `@UseGuards()` list fixed when the class is declared.
 */
@Injectable()
export class PolarPortalGuard implements CanActivate {
  constructor(
    @Inject(PolarPortalService) private readonly portal: PolarPortalService,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Set before anything of the route can fail, so its error answers (401, guard or resolver
    // failures, Polar errors) are never stored either.
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = context.switchToHttp().getResponse();
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    adapter.setHeader(response, 'Referrer-Policy', 'no-referrer');
    adapter.setHeader(response, 'Vary', 'Accept');
    await this.portal.authorize(context);
    return true;
  }
}
