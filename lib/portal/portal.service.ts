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
import { isObservable, lastValueFrom } from 'rxjs';
import { CustomersService } from '../customers/customers.service.js';
import {
  PolarInputException,
  PolarUnknownCustomerException,
  PolarValidationException,
} from '../errors/polar.exceptions.js';
import { describeThrown } from '../errors/describe-thrown.js';
import { toPolarHttpException } from '../errors/polar-error.mapper.js';
import type { PolarCustomerResolverFn, PolarPortalCustomer } from '../interfaces/polar-portal-options.interface.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { PolarSessionReuse } from '../sessions/session-reuse/session-reuse.service.js';
import { isResolverClass, POLAR_PORTAL_CONFIG, type PolarPortalConfig } from './portal.config.js';
import {
  PolarInvalidReturnUrlException,
  PolarPortalCustomerNotFoundException,
  PolarPortalMemberNotFoundException,
  PolarPortalMemberRequiredException,
  PolarPortalResolverException,
  PolarPortalUnauthorizedException,
} from './portal.exceptions.js';
import { PORTAL_MESSAGES } from './portal.messages.js';
import { requestUserCustomerResolver, toPortalCustomer } from './portal-customer.js';
import { checkReturnUrl, originOfRequest } from './return-url.policy.js';

/** What the route hands the client: the portal URL (it carries the session token) and its expiry. */
export interface PolarPortalLink {
  url: string;
  expires_at: string;
}

/**
 * The portal route's logic, kept apart from the controller so the guard and the handler share it:
 * runs the app's guards and the resolver, applies the return-URL policy, opens the session.
 */
@Injectable()
export class PolarPortalService implements OnModuleInit {
  private readonly logger = new Logger('PolarPortal');
  private resolve: PolarCustomerResolverFn = requestUserCustomerResolver;
  private appGuards: CanActivate[] = [];
  // Keyed by the request object, so nothing is written onto the app's request.
  private readonly resolved = new WeakMap<object, PolarPortalCustomer>();

  constructor(
    @Inject(POLAR_PORTAL_CONFIG) private readonly config: PolarPortalConfig,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(CustomersService) private readonly customers: CustomersService,
    @Inject(PolarSessionReuse) private readonly reuse: PolarSessionReuse,
  ) {}

  /** Finds the resolver and guard instances once, so a missing dependency fails start-up. */
  async onModuleInit(): Promise<void> {
    const { customer, guards } = this.config;
    if (customer !== undefined) {
      if (isResolverClass(customer)) {
        const instance = await this.instanceOf(customer);
        this.resolve = (request, context) => instance.resolve(request, context);
      } else {
        this.resolve = customer;
      }
    }
    this.appGuards = await Promise.all(
      guards.map((guard) => (typeof guard === 'function' ? this.instanceOf(guard) : Promise.resolve(guard))),
    );
  }

  /** The app's provider when it registered the class anywhere, else an instance made here. */
  private async instanceOf<T>(type: Type<T>): Promise<T> {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return this.moduleRef.create(type);
    }
  }

  /**
   * The guard's work: the app's guards in order, then the resolver. Remembers the customer for the
   * handler; throws 401 when nobody is signed in, so no request reaches Polar.
   */
  async authorize(context: ExecutionContext): Promise<void> {
    for (const guard of this.appGuards) {
      const allowed = await this.guarded(guard.constructor.name, async () => {
        const result = guard.canActivate(context);
        return isObservable(result) ? lastValueFrom(result, { defaultValue: false }) : result;
      });
      if (!allowed) {
        throw new ForbiddenException(PORTAL_MESSAGES.forbidden);
      }
    }
    const request = context.switchToHttp().getRequest<object>();
    // The value is read inside the guard too: a throwing getter on it is the resolver's failure.
    const customer = await this.guarded('customer resolver', async () =>
      toPortalCustomer(await this.resolve(request, context)),
    );
    if (customer === null) {
      throw new PolarPortalUnauthorizedException();
    }
    this.resolved.set(request, customer);
  }

  /** App code failing must not become a bare 500 or an unhandled rejection: log it, answer clearly. */
  private async guarded<T>(what: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isHttpException(error)) throw error;
      this.logger.error(`The portal ${what} threw`, describeThrown(error));
      throw new PolarPortalResolverException(
        what === 'customer resolver' ? PORTAL_MESSAGES.resolverFailed : PORTAL_MESSAGES.appGuardFailed(what),
        { cause: error },
      );
    }
  }

  /** The customer the guard resolved for this request. */
  customerOf(request: object): PolarPortalCustomer {
    const customer = this.resolved.get(request);
    if (customer === undefined) {
      // Only reachable if the handler runs without its guard: refuse rather than guess.
      throw new PolarPortalUnauthorizedException();
    }
    return customer;
  }

  /** The absolute return URL for this request (query, else the default), or undefined for none. */
  returnUrlFor(request: {
    query?: unknown;
    protocol?: unknown;
    host?: unknown;
    headers?: Record<string, unknown>;
  }): string | undefined {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const given = Object.prototype.hasOwnProperty.call(query, 'return_url') ? query.return_url : undefined;
    const fallback = this.config.defaultReturnUrl;
    if (given === undefined && (fallback === undefined || !fallback.startsWith('/'))) {
      // No default, or an absolute one checked and normalised at start-up: the app's own choice,
      // so its origin is not held to the allowlist that guards the query parameter.
      return fallback;
    }
    const value = given ?? fallback;
    const policy = this.config.returnUrlPolicy;
    const requestOrigin = policy.appOrigin === undefined ? originOfRequest(request) : undefined;
    const check = checkReturnUrl(value, policy, requestOrigin);
    if (!check.ok) {
      throw new PolarInvalidReturnUrlException(check.rule, check.reason);
    }
    return check.url;
  }

  /**
   * Opens a portal session for the customer. With `createCustomerIfMissing`, a customer Polar does
   * not know yet is created (`CustomersService.ensure`) and the session is asked for once more.
   */
  async open(customer: PolarPortalCustomer, returnUrl: string | undefined): Promise<PolarPortalLink> {
    try {
      return await this.createSession(customer, returnUrl);
    } catch (error) {
      if (!(error instanceof PolarUnknownCustomerException) || !this.config.createCustomerIfMissing) {
        throw this.explain(error, customer);
      }
      if (customer.externalCustomerId === undefined || customer.email === undefined) {
        throw new PolarPortalCustomerNotFoundException(PORTAL_MESSAGES.unknownCustomerNoEmail, {
          cause: error,
          details: error.details,
        });
      }
    }
    try {
      await this.customers.ensure({
        external_id: customer.externalCustomerId,
        email: customer.email,
        ...(customer.name !== undefined ? { name: customer.name } : {}),
      });
      return await this.createSession(customer, returnUrl);
    } catch (error) {
      throw this.explain(error, customer);
    }
  }

  private async createSession(customer: PolarPortalCustomer, returnUrl: string | undefined): Promise<PolarPortalLink> {
    const body = {
      ...(customer.customerId !== undefined
        ? { customer_id: customer.customerId }
        : { external_customer_id: customer.externalCustomerId }),
      ...(customer.memberId !== undefined ? { member_id: customer.memberId } : {}),
      ...(customer.externalMemberId !== undefined ? { external_member_id: customer.externalMemberId } : {}),
      ...(returnUrl !== undefined ? { return_url: returnUrl } : {}),
    };
    // portal.sessionReuse (lib/sessions/session-reuse): a live session of this key, else a new one.
    const session = await this.reuse.obtain(body, () => this.sessions.create(body));
    return { url: session.customer_portal_url, expires_at: session.expires_at };
  }

  /** Turns what Polar said about this customer into an answer an app developer understands. */
  private explain(error: unknown, customer: PolarPortalCustomer): HttpException {
    const mapped = toPolarHttpException(error);
    if (mapped instanceof PolarInputException) {
      // Our own inputs were checked already; what is left came from the resolver.
      return new PolarPortalResolverException(PORTAL_MESSAGES.resolverInvalid(String(mapped.message)), {
        cause: mapped,
      });
    }
    if (mapped instanceof PolarUnknownCustomerException) {
      const how =
        customer.customerId !== undefined
          ? "by customerId, Polar's customer id"
          : "by externalCustomerId, your user id as the customer's external ID";
      return new PolarPortalCustomerNotFoundException(PORTAL_MESSAGES.unknownCustomer(how), {
        cause: mapped,
        details: mapped.details,
      });
    }
    if (mapped instanceof PolarValidationException) {
      const memberProblem = mapped.details.find((detail) => /member/i.test(detail.msg));
      if (memberProblem && /required/i.test(memberProblem.msg)) {
        return new PolarPortalMemberRequiredException({ cause: mapped, details: mapped.details });
      }
      if (memberProblem && /does not exist/i.test(memberProblem.msg)) {
        return new PolarPortalMemberNotFoundException({ cause: mapped, details: mapped.details });
      }
    }
    return mapped;
  }
}

/** `instanceof` that cannot throw (a thrown Proxy's getPrototypeOf trap may). */
function isHttpException(error: unknown): error is HttpException {
  try {
    return error instanceof HttpException;
  } catch {
    return false;
  }
}
