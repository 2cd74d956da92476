import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { PolarRouteHandler } from '../common/route-definition.js';
import { POLAR_PORTAL_CONFIG, type PolarPortalConfig } from './portal.config.js';
import { PolarPortalService } from './portal.service.js';
import { answersWithJson, POLAR_REDIRECT_STATUS } from '../common/prefers-json.js';

/** The portal's redirect: 303 See Other, as every route of the module (see `POLAR_REDIRECT_STATUS`). */
export const PORTAL_REDIRECT_STATUS = POLAR_REDIRECT_STATUS;

/** Answers `GET /billing/portal` once `PolarPortalGuard` has identified the customer. */
@Injectable()
export class PolarPortalHandler implements PolarRouteHandler {
  constructor(
    @Inject(PolarPortalService) private readonly portal: PolarPortalService,
    @Inject(POLAR_PORTAL_CONFIG) private readonly config: PolarPortalConfig,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Opens the signed-in user's Polar customer portal: a 303 redirect, or `{ url, expires_at }`. */
  async handle(request: { query?: unknown; headers: Record<string, unknown> }, response: unknown): Promise<void> {
    // Cache-Control: no-store and Referrer-Policy are set by the route's first guard, Vary by
    // PolarPortalGuard, before anything of this route can fail.
    const adapter = this.adapterHost.httpAdapter;
    const customer = this.portal.customerOf(request);
    const returnUrl = this.portal.returnUrlFor(request);
    const link = await this.portal.open(customer, returnUrl);

    if (answersWithJson(this.config.respondWith, request.headers.accept)) {
      adapter.reply(response, link, HttpStatus.OK);
    } else {
      adapter.redirect(response, PORTAL_REDIRECT_STATUS, link.url);
    }
  }
}
