import {
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  Global,
  Injectable,
  Module,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  POLAR_CUSTOMER_STATE_REFRESH,
  type PolarCustomerStateRefresh,
} from '../../lib/interfaces/polar-customer-state-refresh.interface.js';
import type { PolarCheckoutOptions } from '../../lib/interfaces/polar-checkout-options.interface.js';
import type { PolarModuleOptions } from '../../lib/interfaces/polar-module-options.interface.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { type AdapterName, type PolarTestApp, polarTestApp } from '../support/polar-app.js';

/** `Authorization` of a signed-in test user: any id, its e-mail derived from it. */
export const signedIn = (userId: string): Record<string, string> => ({ authorization: `User ${userId}` });

/** Stands in for the app's session middleware: `Authorization: User <id>` sets `request.user`. */
@Injectable()
export class TestUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown>; user?: unknown }>();
    const match = /^User ([\w-]+)$/.exec(String(request.headers.authorization ?? ''));
    request.user = match ? { id: match[1], email: `${match[1]}@mailinator.com`, name: `User ${match[1]}` } : undefined;
    return true;
  }
}

/** The catalogue the suites sell, seeded into the emulator. */
export interface Catalogue {
  pro: { id: string };
  team: { id: string };
  lifetime: { id: string };
}

export function seedCatalogue(polar: PolarEmulator): Catalogue {
  const pro = polar.billing.seedProduct({
    name: 'Pro',
    recurring_interval: 'month',
    prices: [{ amount_type: 'fixed', price_amount: 1500 }],
  });
  const team = polar.billing.seedProduct({
    name: 'Team',
    recurring_interval: 'month',
    prices: [
      {
        amount_type: 'seat_based',
        seat_tiers: { tiers: [{ min_seats: 1, max_seats: null, price_per_seat: 800 }] },
      },
    ],
  });
  const lifetime = polar.billing.seedProduct({
    name: 'Lifetime',
    prices: [{ amount_type: 'fixed', price_amount: 9900 }],
  });
  return { pro: { id: String(pro.id) }, team: { id: String(team.id) }, lifetime: { id: String(lifetime.id) } };
}

export const APP_ORIGIN = 'https://app.example';

/** The checkout options the suites use unless a test overrides them (the portal fixtures' origins). */
export const CHECKOUT_OPTIONS: PolarCheckoutOptions = {
  appOrigin: APP_ORIGIN,
  allowedReturnOrigins: ['https://allowed.example', 'http://localhost:3000'],
  successPage: '/welcome',
};

export function plansOf(catalogue: Catalogue): PolarModuleOptions['plans'] {
  return {
    pro: { products: [catalogue.pro.id], metadata: { tier: 'pro' } },
    team: { products: [catalogue.team.id], seats: { min: 2, max: 20 } },
    lifetime: { products: [catalogue.lifetime.id] },
  };
}

export interface CheckoutAppOptions {
  adapter: AdapterName;
  polar: PolarEmulator;
  catalogue: Catalogue;
  checkout?: PolarCheckoutOptions;
  options?: Partial<PolarModuleOptions>;
  providers?: Provider[];
  imports?: NonNullable<ModuleMetadata['imports']>;
  listen?: boolean;
}

/** A Nest app selling the catalogue through PolarModule's checkout routes, against the emulator. */
export async function createCheckoutApp(options: CheckoutAppOptions): Promise<PolarTestApp> {
  const builder = polarTestApp()
    .on(options.adapter)
    .api(options.polar)
    .options({ timeoutMs: 2000, readRetries: 0, plans: plansOf(options.catalogue), ...options.options })
    .checkout({ ...CHECKOUT_OPTIONS, ...options.checkout })
    .imports(...(options.imports ?? []))
    .providers({ provide: APP_GUARD, useClass: TestUserGuard }, ...(options.providers ?? []));
  return options.listen ? builder.listen() : builder.start();
}

/** Provides the state-refresh hook globally, as the entitlements capability does for PolarModule. */
export function stateRefreshModule(refresh: PolarCustomerStateRefresh): DynamicModule {
  @Global()
  @Module({})
  class StateRefreshModule {}
  return {
    module: StateRefreshModule,
    providers: [{ provide: POLAR_CUSTOMER_STATE_REFRESH, useValue: refresh }],
    exports: [POLAR_CUSTOMER_STATE_REFRESH],
  };
}
