import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { PolarPortalService } from './portal.service.js';

/**
 * Runs the app's portal guards (`portal.guards`), then the customer resolver; answers 401 when
 * nobody is signed in. The guard list is read at start-up from the (possibly async) options, which
 * is why one guard runs them instead of a `@UseGuards()` list fixed when the class is declared.
 */
@Injectable()
export class PolarPortalGuard implements CanActivate {
  constructor(@Inject(PolarPortalService) private readonly portal: PolarPortalService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.portal.authorize(context);
    return true;
  }
}
