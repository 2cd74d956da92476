import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { PolarRouteHandler } from '../common/route-definition.js';
import { POLAR_REDIRECT_STATUS } from '../common/prefers-json.js';
import { type PolarCheckoutRequest, PolarCheckoutService } from './checkout.service.js';

/**
 * Answers `GET /billing/checkout/success?checkout_id=…`, where Polar sends the customer after
 * paying: verifies the checkout is theirs and has succeeded, refreshes their cached state, and
 * redirects (303) to `checkout.successPage`.
 */
@Injectable()
export class PolarCheckoutSuccessHandler implements PolarRouteHandler {
  constructor(
    @Inject(PolarCheckoutService) private readonly checkout: PolarCheckoutService,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  async handle(request: PolarCheckoutRequest, response: unknown): Promise<void> {
    const page = await this.checkout.succeeded(request);
    this.adapterHost.httpAdapter.redirect(response, POLAR_REDIRECT_STATUS, page);
  }
}
