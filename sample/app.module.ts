import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { PolarModule } from 'nestjs-polar';
import { polarConfig } from 'nestjs-polar/config';
import { AuthController } from './auth/auth.controller.js';
import { SessionCookie } from './auth/session-cookie.js';
import { SessionMiddleware } from './auth/session.middleware.js';
import type { SampleRequest } from './auth/session-user.js';
import { SignInRedirectFilter } from './auth/sign-in-redirect.filter.js';
import { HomeController } from './home/home.controller.js';
import { samplePlans } from './pricing/catalogue.js';
import { PlanAccess } from './pricing/plan-access.service.js';
import { PricingController } from './pricing/pricing.controller.js';
import { ProController } from './pro/pro.controller.js';

@Module({
  imports: [
    // Reads POLAR_ACCESS_TOKEN, POLAR_ENVIRONMENT and POLAR_BASE_URL (also from a .env file) and
    // validates them at start-up: a missing token stops the app with a message naming the variable.
    ConfigModule.forRoot({ isGlobal: true, load: [polarConfig] }),
    PolarModule.forRootAsync({
      inject: [polarConfig.KEY],
      useFactory: (polar: ConfigType<typeof polarConfig>) => ({
        ...polar,
        // The signed-in user comes from our session (see SessionMiddleware). Without this option
        // the module reads request.user the same way; it is spelled out here to show the contract.
        customer: (req: SampleRequest) =>
          req.user ? { external_customer_id: req.user.id, email: req.user.email, name: req.user.name } : null,
        portal: {
          // Polar's portal links back to our home page. A relative path resolves against APP_URL
          // when set, else against the origin the request came in on.
          defaultReturnUrl: '/',
          ...(process.env.APP_URL ? { appOrigin: process.env.APP_URL } : {}),
          // The customer is ensured at sign-in; this covers one deleted in Polar since then.
          createCustomerIfMissing: true,
        },
        // What the pricing page sells: the client names a plan, never a product id.
        plans: samplePlans(),
        checkout: {
          // Back from Polar's checkout, /billing/checkout/success checks the purchase and sends the user home.
          successPage: '/',
          defaultReturnUrl: '/pricing',
          ...(process.env.APP_URL ? { appOrigin: process.env.APP_URL } : {}),
        },
        // /pro is for subscribers: browsers without one go back home with an upgrade notice.
        entitlements: { redirectTo: '/' },
      }),
      // The checkout routes are registered when the module is defined, before the factory runs.
      checkout: {},
    }),
  ],
  controllers: [HomeController, PricingController, ProController, AuthController],
  providers: [
    // Demo sessions: SESSION_SECRET signs the cookie; without it every start signs everyone out.
    { provide: SessionCookie, useFactory: () => new SessionCookie(process.env.SESSION_SECRET) },
    { provide: APP_FILTER, useClass: SignInRedirectFilter },
    PlanAccess,
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Every route, the library's /billing/portal included, sees request.user.
    consumer.apply(SessionMiddleware).forRoutes('*');
  }
}
