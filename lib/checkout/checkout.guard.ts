import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PolarCheckoutService } from './checkout.service.js';

/**
 * Runs the app's checkout guards (`checkout.guards`), then the customer resolver; answers 401
 * when nobody is signed in, unless anonymous checkout is on. Nothing reaches Polar before it.
 */
@Injectable()
export class PolarCheckoutGuard implements CanActivate {
  constructor(
    @Inject(PolarCheckoutService) private readonly checkout: PolarCheckoutService,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Set before anything of the route can fail, so a cache keeps the redirect and the JSON answer apart.
    this.adapterHost.httpAdapter.setHeader(context.switchToHttp().getResponse(), 'Vary', 'Accept');
    await this.checkout.authorize(context);
    return true;
  }
}
