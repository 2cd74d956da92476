import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { answersWithJson, POLAR_REDIRECT_STATUS } from '../common/prefers-json.js';
import type { PolarRouteHandler } from '../common/route-definition.js';
import { PolarAlreadySubscribedException } from '../errors/polar.exceptions.js';
import type { PolarCheckoutConfig } from '../interfaces/polar-checkout-options.interface.js';
import { POLAR_CHECKOUT_CONFIG } from './checkout.config.js';
import { CHECKOUT_MESSAGES } from './checkout.messages.js';
import { type PolarCheckoutRequest, PolarCheckoutService } from './checkout.service.js';

/** Answers `GET`/`POST /billing/checkout/:plan` once `PolarCheckoutGuard` has identified the customer. */
@Injectable()
export class PolarCheckoutHandler implements PolarRouteHandler {
  constructor(
    @Inject(PolarCheckoutService) private readonly checkout: PolarCheckoutService,
    @Inject(POLAR_CHECKOUT_CONFIG) private readonly config: PolarCheckoutConfig,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** A 303 to the checkout (or to the portal when already subscribed), or `{ url, client_secret, expires_at }`. */
  async handle(request: PolarCheckoutRequest, response: unknown): Promise<void> {
    // Cache-Control: no-store and Referrer-Policy are set by the route's first guard, Vary by PolarCheckoutGuard.
    const adapter = this.adapterHost.httpAdapter;
    const plan = await this.checkout.planNamed((request.params as { plan?: unknown } | undefined)?.plan);
    const json = answersWithJson(this.config.respondWith, request.headers.accept);
    const outcome = await this.checkout.open(request, plan);
    if (outcome.kind === 'portal') {
      // A script cannot follow a portal URL into an embedded checkout: it is told why, without the URL.
      if (json) throw new PolarAlreadySubscribedException(CHECKOUT_MESSAGES.alreadySubscribedJson);
      adapter.redirect(response, POLAR_REDIRECT_STATUS, outcome.url);
      return;
    }
    if (json) {
      adapter.reply(response, outcome.link, HttpStatus.OK);
    } else {
      adapter.redirect(response, POLAR_REDIRECT_STATUS, outcome.link.url);
    }
  }
}
