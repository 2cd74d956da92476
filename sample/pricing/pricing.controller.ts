import { Controller, Get, Header, Logger, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  InjectPolar,
  InjectPolarOptions,
  type PolarClient,
  type PolarResolvedOptions,
  toPolarHttpException,
} from 'nestjs-polar';
import type { SampleRequest } from '../auth/session-user.js';
import { pricingPage, type PricedPlan } from '../views.js';
import { PLAN_PITCH } from './catalogue.js';

/** The pricing page: every configured plan with its price from Polar, and a Subscribe button. */
@Controller()
export class PricingController {
  private readonly logger = new Logger('Pricing');

  constructor(
    @InjectPolar() private readonly polar: PolarClient,
    @InjectPolarOptions() private readonly options: PolarResolvedOptions,
  ) {}

  @Get('pricing')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async pricing(@Req() req: SampleRequest, @Res({ passthrough: true }) res: Response): Promise<string | void> {
    if (!req.user) {
      res.redirect(303, '/sign-in');
      return;
    }
    const plans = await Promise.all(Object.values(this.options.plans).map((plan) => this.describe(plan)));
    return pricingPage(plans);
  }

  private async describe(plan: PolarResolvedOptions['plans'][string]): Promise<PricedPlan> {
    try {
      const product = await this.polar.products.get(plan.products[0]!);
      const price = product.prices.find((candidate) => candidate.amount_type === 'fixed') as
        { price_amount: number; price_currency: string } | undefined;
      const interval = product.recurring_interval ? ` / ${product.recurring_interval}` : '';
      return {
        name: plan.name,
        title: product.name,
        price: price ? `$${(price.price_amount / 100).toFixed(2)}${interval}` : 'see checkout',
        pitch: PLAN_PITCH[plan.name] ?? '',
      };
    } catch (error) {
      // The page still sells the plan; the checkout shows the price.
      this.logger.warn(`Could not read the product of plan ${plan.name}: ${toPolarHttpException(error).message}`);
      return { name: plan.name, title: plan.name, price: 'see checkout', pitch: PLAN_PITCH[plan.name] ?? '' };
    }
  }
}
