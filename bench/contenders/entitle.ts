/**
 * The entitlement contenders (issue 17), one Nest app on Express, BENCH_ENTITLE choosing the route:
 *   cached       `@RequiresSubscription({ plans: ['pro'] })`: the module's cached customer state
 *   per-request  what apps do today: `getState` from Polar on every request, then the same check
 *   unguarded    the same handler with no check at all (the CPU reference)
 * The customer comes from a header the bench resolver trusts — bench only.
 */
import 'reflect-metadata';
import { Controller, ForbiddenException, Get, HttpException, Module, Req, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CustomersService, type PolarCustomerResolverFn, PolarModule, RequiresSubscription } from '../../lib/index.js';
import { announceReady, serveIpc } from '../support/ipc.js';
import { BENCH_ACCESS_TOKEN, BENCH_CUSTOMER_HEADER, BENCH_PRODUCT_ID } from '../support/fixtures.js';

const mode = process.env.BENCH_ENTITLE ?? 'cached';

const customer: PolarCustomerResolverFn = (request: { headers: Record<string, string | string[] | undefined> }) => {
  const id = request.headers[BENCH_CUSTOMER_HEADER];
  return typeof id === 'string' ? { customer_id: id } : null;
};

const answer = { feature: 'pro' };

@Controller()
class CachedController {
  @Get('pro')
  @RequiresSubscription({ plans: ['pro'] })
  pro() {
    return answer;
  }
}

@Controller()
class PerRequestController {
  constructor(private readonly customers: CustomersService) {}

  @Get('pro')
  async pro(@Req() request: { headers: Record<string, string | string[] | undefined> }) {
    const id = request.headers[BENCH_CUSTOMER_HEADER];
    if (typeof id !== 'string') throw new ForbiddenException();
    const state = await this.customers.getState(id);
    if (!state.active_subscriptions.some((s) => s.product_id === BENCH_PRODUCT_ID)) {
      throw new HttpException({ code: 'subscription_required' }, 402);
    }
    return answer;
  }
}

@Controller()
class UnguardedController {
  @Get('pro')
  pro() {
    return answer;
  }
}

const controller =
  mode === 'per-request' ? PerRequestController : mode === 'unguarded' ? UnguardedController : CachedController;

@Module({
  imports: [
    PolarModule.forRoot({
      accessToken: BENCH_ACCESS_TOKEN,
      baseUrl: process.env.BENCH_UPSTREAM_URL,
      customer,
      plans: { pro: { products: [BENCH_PRODUCT_ID] } },
      portal: false,
    }),
  ],
  controllers: [controller],
})
class BenchEntitleModule {}

const app: INestApplication = await NestFactory.create(BenchEntitleModule, { logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
serveIpc({});
const address = app.getHttpServer().address();
announceReady(typeof address === 'object' && address ? address.port : 0);
