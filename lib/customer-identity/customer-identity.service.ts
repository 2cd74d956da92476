import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { isObservable, lastValueFrom, takeUntil, timer } from 'rxjs';
import type {
  PolarCustomerIdentity,
  PolarCustomerResolverFn,
} from '../interfaces/polar-customer-resolver.interface.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import { PolarDeadlineError, withinDeadline } from '../common/deadline.js';
import { describeThrown } from '../errors/describe-thrown.js';
import { POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import { isResolverClass } from './customer-identity.config.js';
import {
  PolarPortalResolverException,
  PolarPortalResolverTimeoutException,
  PolarPortalUnauthorizedException,
} from './customer-identity.exceptions.js';
import { CUSTOMER_IDENTITY_MESSAGES } from './customer-identity.messages.js';
import { requestUserCustomerResolver, toCustomerIdentity } from './customer-identity.js';

/**
 * Who the signed-in customer is, for every route and guard that needs one: runs a route's app
 * guards, then the module's `customer` resolver, checks its answer, and hands it to the handler.
 */
@Injectable()
export class PolarCustomerIdentityService implements OnModuleInit {
  private readonly logger = new Logger('PolarPortal');
  private resolve: PolarCustomerResolverFn = requestUserCustomerResolver;
  // Keyed by the request object, so nothing is written onto the app's request.
  private readonly identified = new WeakMap<object, PolarCustomerIdentity | null>();

  constructor(
    @Inject(POLAR_RESOLVED_OPTIONS) private readonly options: PolarResolvedOptions,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {}

  /** Finds the resolver instance once, so a missing dependency fails start-up. */
  async onModuleInit(): Promise<void> {
    const { customer } = this.options;
    if (customer === undefined) return;
    if (isResolverClass(customer)) {
      const instance = await this.instanceOf(customer);
      this.resolve = (request, context) => instance.resolve(request, context);
    } else {
      this.resolve = customer;
    }
  }

  /** A route's app guards as instances: the app's provider when it registered the class, else made here. */
  guardsOf(guards: Array<Type<CanActivate> | CanActivate>): Promise<CanActivate[]> {
    return Promise.all(
      guards.map((guard) => (typeof guard === 'function' ? this.instanceOf(guard) : Promise.resolve(guard))),
    );
  }

  private async instanceOf<T>(type: Type<T>): Promise<T> {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return this.moduleRef.create(type);
    }
  }

  /**
   * A route guard's work: the app's guards in order, then the resolver. Remembers the customer for
   * the handler; throws 401 when nobody is signed in, so no request reaches Polar.
   */
  async authorize(context: ExecutionContext, appGuards: readonly CanActivate[]): Promise<PolarCustomerIdentity> {
    const customer = await this.identify(context, appGuards);
    if (customer === null) {
      throw new PolarPortalUnauthorizedException();
    }
    return customer;
  }

  /**
   * `authorize` for a route that also serves visitors nobody signed in as: the app's guards, then
   * the resolver, whose `null` is remembered (and answered) instead of refused.
   */
  async identify(context: ExecutionContext, appGuards: readonly CanActivate[]): Promise<PolarCustomerIdentity | null> {
    for (const guard of appGuards) {
      const name = guard.constructor.name;
      const allowed = await this.contained(
        CUSTOMER_IDENTITY_MESSAGES.guardThrewLog(name),
        () => {
          const result = guard.canActivate(context);
          if (!isObservable(result)) return result;
          // Unsubscribed just after the deadline, so a guard's Observable that never completes is not held.
          const bounded = result.pipe(takeUntil(timer(this.options.customerTimeoutMs + 1)));
          return lastValueFrom(bounded, { defaultValue: false });
        },
        CUSTOMER_IDENTITY_MESSAGES.appGuardFailed(name),
        CUSTOMER_IDENTITY_MESSAGES.guardTimedOut(name, this.options.customerTimeoutMs),
      );
      if (!allowed) {
        throw new ForbiddenException(CUSTOMER_IDENTITY_MESSAGES.forbidden);
      }
    }
    const request = context.switchToHttp().getRequest<object>();
    // The answer is read inside the containment too: a throwing getter on it is the resolver's failure.
    const customer = await this.contained(
      CUSTOMER_IDENTITY_MESSAGES.resolverThrewLog,
      async () => toCustomerIdentity(await this.resolve(request, context)),
      CUSTOMER_IDENTITY_MESSAGES.resolverFailed,
      CUSTOMER_IDENTITY_MESSAGES.resolverTimedOut(this.options.customerTimeoutMs),
    );
    this.identified.set(request, customer);
    return customer;
  }

  /** The customer the route's guard identified for this request. */
  customerOf(request: object): PolarCustomerIdentity {
    const customer = this.identified.get(request);
    if (customer === undefined || customer === null) {
      // Only reachable if the handler runs without its guard: refuse rather than guess.
      throw new PolarPortalUnauthorizedException();
    }
    return customer;
  }

  /** The customer `identify` found for this request, or null for a visitor nobody signed in as. */
  optionalCustomerOf(request: object): PolarCustomerIdentity | null {
    const customer = this.identified.get(request);
    if (customer === undefined) {
      // Only reachable if the handler runs without its guard: refuse rather than guess.
      throw new PolarPortalUnauthorizedException();
    }
    return customer;
  }

  /**
   * App code failing must not become a bare 500 or an unhandled rejection, nor hang the request:
   * under `customerTimeoutMs`; a throw is logged and answered 500, a hang logged and answered 503.
   * Routes run their own app hooks through it too (the checkout's plan catalogue and metadata).
   */
  async contained<T>(log: string, run: () => T | Promise<T>, answer: string, timedOutAnswer: string): Promise<T> {
    try {
      return await withinDeadline(log, this.options.customerTimeoutMs, run);
    } catch (error) {
      if (isInstance(error, HttpException)) throw error;
      if (isInstance(error, PolarDeadlineError)) {
        this.logger.error(timedOutAnswer);
        throw new PolarPortalResolverTimeoutException(timedOutAnswer);
      }
      this.logger.error(log, describeThrown(error));
      throw new PolarPortalResolverException(answer, { cause: error });
    }
  }
}

/** `instanceof` that cannot throw (a thrown Proxy's getPrototypeOf trap may). */
function isInstance<T>(error: unknown, type: abstract new (...args: never[]) => T): error is T {
  try {
    return error instanceof type;
  } catch {
    return false;
  }
}
