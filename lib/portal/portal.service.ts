import {
  type CanActivate,
  type ExecutionContext,
  type HttpException,
  Inject,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { PolarCustomerIdentityService } from '../customer-identity/customer-identity.service.js';
import { PolarPortalResolverException } from '../customer-identity/customer-identity.exceptions.js';
import { CUSTOMER_IDENTITY_MESSAGES } from '../customer-identity/customer-identity.messages.js';
import { CustomersService } from '../customers/customers.service.js';
import {
  PolarInputException,
  PolarUnknownCustomerException,
  PolarValidationException,
} from '../errors/polar.exceptions.js';
import { toPolarHttpException } from '../errors/polar-error.mapper.js';
import type { PolarCustomerIdentity } from '../interfaces/polar-customer-resolver.interface.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { PolarSessionReuse } from './session-reuse/session-reuse.service.js';
import { POLAR_PORTAL_CONFIG, type PolarPortalConfig } from './portal.config.js';
import {
  PolarPortalCustomerNotFoundException,
  PolarPortalMemberNotFoundException,
  PolarPortalMemberRequiredException,
} from './portal.exceptions.js';
import { PORTAL_MESSAGES } from './portal.messages.js';
import { returnUrlFor, type ReturnUrlRequest } from '../return-url/return-url.request.js';

/** What the route hands the client: the portal URL (it carries the session token) and its expiry. */
export interface PolarPortalLink {
  url: string;
  expires_at: string;
}

/**
 * The portal route's logic, kept apart from the controller so the guard and the handler share it:
 * identifies the customer (customer-identity), applies the return-URL policy, opens the session.
 */
@Injectable()
export class PolarPortalService implements OnModuleInit {
  private appGuards: CanActivate[] = [];

  constructor(
    @Inject(POLAR_PORTAL_CONFIG) private readonly config: PolarPortalConfig,
    @Inject(PolarCustomerIdentityService) private readonly identity: PolarCustomerIdentityService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(CustomersService) private readonly customers: CustomersService,
    @Inject(PolarSessionReuse) private readonly reuse: PolarSessionReuse,
  ) {}

  /** Finds the guard instances once, so a missing dependency fails start-up. */
  async onModuleInit(): Promise<void> {
    this.appGuards = await this.identity.guardsOf(this.config.guards);
  }

  /** The guard's work: `portal.guards`, then the customer resolver (401 when nobody is signed in). */
  async authorize(context: ExecutionContext): Promise<void> {
    await this.identity.authorize(context, this.appGuards);
  }

  /** The customer the guard identified for this request. */
  customerOf(request: object): PolarCustomerIdentity {
    return this.identity.customerOf(request);
  }

  /** The absolute return URL for this request (query, else the default), or undefined for none. */
  returnUrlFor(request: { query?: unknown } & ReturnUrlRequest): string | undefined {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const given = Object.prototype.hasOwnProperty.call(query, 'return_url') ? query.return_url : undefined;
    return returnUrlFor(request, given, this.config);
  }

  /**
   * Opens a portal session for the customer. With `createCustomerIfMissing`, a customer Polar does
   * not know yet is created (`CustomersService.ensure`) and the session is asked for once more.
   */
  async open(customer: PolarCustomerIdentity, returnUrl: string | undefined): Promise<PolarPortalLink> {
    try {
      return await this.createSession(customer, returnUrl);
    } catch (error) {
      if (!(error instanceof PolarUnknownCustomerException) || !this.config.createCustomerIfMissing) {
        throw this.explain(error, customer);
      }
      if (customer.external_customer_id === undefined || customer.email === undefined) {
        throw new PolarPortalCustomerNotFoundException(PORTAL_MESSAGES.unknownCustomerNoEmail, {
          cause: error,
          details: error.details,
        });
      }
    }
    try {
      await this.customers.ensure({
        external_id: customer.external_customer_id,
        email: customer.email,
        ...(customer.name !== undefined ? { name: customer.name } : {}),
      });
      return await this.createSession(customer, returnUrl);
    } catch (error) {
      throw this.explain(error, customer);
    }
  }

  private async createSession(
    customer: PolarCustomerIdentity,
    returnUrl: string | undefined,
  ): Promise<PolarPortalLink> {
    const body = {
      ...(customer.customer_id !== undefined
        ? { customer_id: customer.customer_id }
        : { external_customer_id: customer.external_customer_id }),
      ...(customer.member_id !== undefined ? { member_id: customer.member_id } : {}),
      ...(customer.external_member_id !== undefined ? { external_member_id: customer.external_member_id } : {}),
      ...(returnUrl !== undefined ? { return_url: returnUrl } : {}),
    };
    // portal.sessionReuse (lib/sessions/session-reuse): a live session of this key, else a new one.
    const session = await this.reuse.obtain(body, () => this.sessions.create(body));
    return { url: session.customer_portal_url, expires_at: session.expires_at };
  }

  /** Turns what Polar said about this customer into an answer an app developer understands. */
  private explain(error: unknown, customer: PolarCustomerIdentity): HttpException {
    const mapped = toPolarHttpException(error);
    if (mapped instanceof PolarInputException) {
      // Our own inputs were checked already; what is left came from the resolver.
      return new PolarPortalResolverException(CUSTOMER_IDENTITY_MESSAGES.resolverInvalid(String(mapped.message)), {
        cause: mapped,
      });
    }
    if (mapped instanceof PolarUnknownCustomerException) {
      const how =
        customer.customer_id !== undefined
          ? "by customer_id, Polar's customer id"
          : "by external_customer_id, your user id as the customer's external ID";
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
