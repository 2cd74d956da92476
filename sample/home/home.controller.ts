import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Response } from 'express';
import { polarConfig } from 'nestjs-polar/config';
import type { SampleRequest } from '../auth/session-user.js';
import { PlanAccess } from '../pricing/plan-access.service.js';
import { homePage } from '../views.js';

/** The home page: who is signed in, whether the Pro report is unlocked, and the billing buttons. */
@Controller()
export class HomeController {
  constructor(
    @Inject(polarConfig.KEY) private readonly polar: ConfigType<typeof polarConfig>,
    @Inject(PlanAccess) private readonly plans: PlanAccess,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async home(@Req() req: SampleRequest, @Res({ passthrough: true }) res: Response): Promise<string | void> {
    if (!req.user) {
      res.redirect(303, '/sign-in');
      return;
    }
    // `code` is set by the entitlement guard's redirect from /pro (entitlements.redirectTo).
    const upgrade = typeof (req as { query?: Record<string, unknown> }).query?.['code'] === 'string';
    return homePage(req.user, this.billingBackend(), await this.plans.has(req.user.id, 'pro'), upgrade);
  }

  /** Where billing requests go, for the footer (never the token). */
  private billingBackend(): string {
    if (this.polar.baseUrl) return `Polar API at ${this.polar.baseUrl}`;
    return `Polar ${this.polar.environment ?? 'production'}`;
  }
}
