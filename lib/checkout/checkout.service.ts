import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { models } from '@polar-sh/sdk/2026-10';
import { withinDeadline } from '../common/deadline.js';
import { PolarCustomerIdentityService } from '../customer-identity/customer-identity.service.js';
import { PolarPortalResolverException } from '../customer-identity/customer-identity.exceptions.js';
import { metadataProblem } from '../customers/dto/polar-metadata.validator.js';
import { describeThrown } from '../errors/describe-thrown.js';
import { PolarRequestRunner } from '../errors/polar-request.runner.js';
import { PolarAlreadySubscribedException, PolarNotFoundException } from '../errors/polar.exceptions.js';
import { assertPolarParam, assertUuid4 } from '../errors/polar-input.validation.js';
import type { PolarCheckoutConfig } from '../interfaces/polar-checkout-options.interface.js';
import type { PolarCustomerIdentity } from '../interfaces/polar-customer-resolver.interface.js';
import {
  POLAR_CUSTOMER_STATE_REFRESH,
  type PolarCustomerStateRefresh,
} from '../interfaces/polar-customer-state-refresh.interface.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import type { PolarMetadata, PolarResolvedPlan } from '../interfaces/polar-plans.interface.js';
import { PLAN_NAME, resolvePlan } from '../plans/plans.config.js';
import { POLAR_CLIENT, POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import type { PolarClient } from '../polar.decorators.js';
import { PolarInvalidReturnUrlException } from '../return-url/return-url.exceptions.js';
import { appOriginFor, embedOriginFor, returnUrlFor } from '../return-url/return-url.request.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { POLAR_CHECKOUT_CONFIG } from './checkout.config.js';
import {
  PolarCheckoutNotFoundException,
  PolarCheckoutNotSucceededException,
  PolarCheckoutUnauthorizedException,
  PolarUnknownPlanException,
} from './checkout.exceptions.js';
import { CHECKOUT_MESSAGES } from './checkout.messages.js';

/** What the route hands the client: the checkout URL and what the embedded checkout needs. */
export interface PolarCheckoutLink {
  url: string;
  client_secret: string;
  expires_at: string;
}

/** Where a checkout request leads: a checkout, or the customer's portal (already subscribed). */
export type PolarCheckoutOutcome = { kind: 'checkout'; link: PolarCheckoutLink } | { kind: 'portal'; url: string };

/** The parts of an Express or Fastify request the checkout reads. */
export interface PolarCheckoutRequest {
  method?: unknown;
  params?: unknown;
  query?: unknown;
  body?: unknown;
  headers: Record<string, unknown>;
  originalUrl?: unknown;
  url?: unknown;
  protocol?: unknown;
  host?: unknown;
}

/** Metadata keys the module writes on every checkout it creates (an app's metadata may not use them). */
export const CHECKOUT_PLAN_KEY = 'nestjs_polar_plan';
export const CHECKOUT_FINGERPRINT_KEY = 'nestjs_polar_request';
const RESERVED_KEYS = [CHECKOUT_PLAN_KEY, CHECKOUT_FINGERPRINT_KEY];
/** An open checkout is handed out again only while it has this long left: enough to pay. */
const REUSE_MIN_REMAINING_MS = 10 * 60_000;
/** Statuses of a subscription Polar counts as billable (its `Subscription.billable`). */
const BILLABLE = new Set(['active', 'trialing', 'past_due']);
/** A `confirmed` checkout's payment is usually known within a second or two. */
const CONFIRMED_POLLS = 6;
const CONFIRMED_POLL_MS = 500;
const SEATS = /^[1-9][0-9]{0,4}$/;

/**
 * The checkout routes' logic: who buys (customer-identity), which plan, the URL policy, the
 * already-subscribed rule, the reuse of an open checkout, and the success check.
 */
@Injectable()
export class PolarCheckoutService implements OnModuleInit {
  private readonly logger = new Logger('PolarCheckout');
  private appGuards: CanActivate[] = [];
  /** Whether a product is recurring (it cannot change once created), learnt once per product. */
  private readonly recurring = new Map<string, boolean>();
  /** Requests for the same checkout in flight in this process share one answer (a double click). */
  private readonly inFlight = new Map<string, Promise<PolarCheckoutOutcome>>();

  constructor(
    @Inject(POLAR_CHECKOUT_CONFIG) private readonly config: PolarCheckoutConfig,
    @Inject(POLAR_RESOLVED_OPTIONS) private readonly options: PolarResolvedOptions,
    @Inject(POLAR_CLIENT) private readonly polar: PolarClient,
    @Inject(PolarRequestRunner) private readonly runner: PolarRequestRunner,
    @Inject(PolarCustomerIdentityService) private readonly identity: PolarCustomerIdentityService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Optional()
    @Inject(POLAR_CUSTOMER_STATE_REFRESH)
    private readonly stateRefresh: PolarCustomerStateRefresh | null = null,
  ) {}

  async onModuleInit(): Promise<void> {
    this.appGuards = await this.identity.guardsOf(this.config.guards);
  }

  /** The guard's work: `checkout.guards`, then the customer resolver (401 unless anonymous checkout is on). */
  async authorize(context: ExecutionContext): Promise<void> {
    const customer = await this.identity.identify(context, this.appGuards);
    if (customer === null && !this.config.allowAnonymous) throw new PolarCheckoutUnauthorizedException();
  }

  /** The customer the guard identified, or null for a visitor (anonymous checkout). */
  customerOf(request: object): PolarCustomerIdentity | null {
    return this.identity.optionalCustomerOf(request);
  }

  /** The plan the path names: configured, else from `checkout.resolvePlan`; 404 when neither sells it. */
  async planNamed(name: unknown): Promise<PolarResolvedPlan> {
    if (typeof name !== 'string' || !PLAN_NAME.test(name)) throw new PolarUnknownPlanException(undefined);
    const configured = Object.prototype.hasOwnProperty.call(this.options.plans, name)
      ? this.options.plans[name]
      : undefined;
    if (configured !== undefined) return configured;
    const catalogue = this.config.resolvePlan;
    if (catalogue === undefined) throw new PolarUnknownPlanException(name);
    const found = await this.identity.contained(
      CHECKOUT_MESSAGES.planResolverLog,
      () => catalogue(name),
      CHECKOUT_MESSAGES.planResolverFailed,
      CHECKOUT_MESSAGES.planResolverTimedOut(this.options.customerTimeoutMs),
    );
    if (found === null || found === undefined) throw new PolarUnknownPlanException(name);
    return resolvePlan(name, found, 'plan', (option, rule) => {
      throw new PolarPortalResolverException(CHECKOUT_MESSAGES.planResolverInvalid(`${option} ${rule}`));
    });
  }

  /**
   * Sells `plan` to the customer of this request: the portal when they already have a
   * subscription Polar would refuse to add to, their open checkout of the same request when there
   * is one, else a new checkout. Every input is checked before anything reaches Polar.
   */
  async open(request: PolarCheckoutRequest, plan: PolarResolvedPlan): Promise<PolarCheckoutOutcome> {
    const customer = this.customerOf(request);
    const input = readInput(request);
    const returnUrl = returnUrlFor(request, input.return_url, this.config);
    const embedOrigin =
      input.embed_origin === undefined ? undefined : embedOriginFor(request, input.embed_origin, this.config);
    const seats = checkSeats(input.seats, plan);
    const successUrl = this.successUrlFor(request);
    const metadata = await this.metadataFor(request, plan);

    const body: Record<string, unknown> = {
      products: [...plan.products],
      ...(customer === null
        ? {}
        : customer.customer_id !== undefined
          ? { customer_id: customer.customer_id }
          : { external_customer_id: customer.external_customer_id }),
      ...(customer?.email !== undefined ? { customer_email: customer.email } : {}),
      ...(customer?.name !== undefined ? { customer_name: customer.name } : {}),
      success_url: successUrl,
      ...(returnUrl !== undefined ? { return_url: returnUrl } : {}),
      ...(embedOrigin !== undefined ? { embed_origin: embedOrigin } : {}),
      ...(seats !== undefined ? { seats } : {}),
      ...(plan.seats !== undefined ? { min_seats: plan.seats.min, max_seats: plan.seats.max } : {}),
    };
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([this.options.baseUrl, this.options.organizationId ?? null, body, metadata]))
      .digest('base64url');
    body.metadata = { ...metadata, [CHECKOUT_PLAN_KEY]: plan.name, [CHECKOUT_FINGERPRINT_KEY]: fingerprint };

    // Visitors (anonymous checkout) share nothing: two of them must never get one checkout.
    if (customer === null) return this.obtain(customer, plan, body, fingerprint, returnUrl);
    const pending = this.inFlight.get(fingerprint);
    if (pending) return pending;
    const work = this.obtain(customer, plan, body, fingerprint, returnUrl).finally(() =>
      this.inFlight.delete(fingerprint),
    );
    this.inFlight.set(fingerprint, work);
    return work;
  }

  private async obtain(
    customer: PolarCustomerIdentity | null,
    plan: PolarResolvedPlan,
    body: Record<string, unknown>,
    fingerprint: string,
    returnUrl: string | undefined,
  ): Promise<PolarCheckoutOutcome> {
    if (customer !== null) {
      if (await this.alreadySubscribed(customer, plan)) return this.toPortal(customer, returnUrl);
      const open = await this.openCheckoutOf(customer, plan, fingerprint);
      if (open) return { kind: 'checkout', link: linkOf(open) };
    }
    try {
      const created = await this.runner.write(() =>
        this.polar.checkouts.create(body as unknown as models.CheckoutCreate),
      );
      return { kind: 'checkout', link: linkOf(created) };
    } catch (error) {
      // Polar's own refusal (its rule found a subscription our check could not see): the same answer.
      if (error instanceof PolarAlreadySubscribedException && customer !== null)
        return this.toPortal(customer, returnUrl);
      throw error;
    }
  }

  /**
   * Polar's rule (checkout service `_validate_subscription_uniqueness`): unless the organization
   * allows several, a customer with a billable subscription cannot buy a recurring product. With
   * `allowMultipleSubscriptions` only a subscription to this very plan sends them to the portal.
   */
  private async alreadySubscribed(customer: PolarCustomerIdentity, plan: PolarResolvedPlan): Promise<boolean> {
    if (!(await this.sellsRecurring(plan))) return false;
    const page = await this.runner.read(() => this.polar.subscriptions.list({ ...idFilter(customer), limit: 100 }));
    return page.items.some(
      (subscription) =>
        BILLABLE.has(subscription.status) &&
        (!this.config.allowMultipleSubscriptions || plan.products.includes(subscription.product_id)),
    );
  }

  private async sellsRecurring(plan: PolarResolvedPlan): Promise<boolean> {
    for (const id of plan.products) {
      let recurring = this.recurring.get(id);
      if (recurring === undefined) {
        const product = await this.runner.read(() => this.polar.products.get(id));
        recurring = product.is_recurring;
        this.recurring.set(id, recurring);
      }
      if (recurring) return true;
    }
    return false;
  }

  /** The customer's open checkout of exactly this request, if it has time left to be paid. */
  private async openCheckoutOf(
    customer: PolarCustomerIdentity,
    plan: PolarResolvedPlan,
    fingerprint: string,
  ): Promise<models.Checkout | undefined> {
    const page = await this.runner.read(() =>
      this.polar.checkouts.list({ ...idFilter(customer), product_id: [...plan.products], status: 'open', limit: 20 }),
    );
    const now = Date.now();
    return page.items.find(
      (checkout) =>
        checkout.status === 'open' &&
        checkout.metadata?.[CHECKOUT_FINGERPRINT_KEY] === fingerprint &&
        new Date(checkout.expires_at).getTime() - now > REUSE_MIN_REMAINING_MS,
    );
  }

  private async toPortal(
    customer: PolarCustomerIdentity,
    returnUrl: string | undefined,
  ): Promise<PolarCheckoutOutcome> {
    const session = await this.sessions.create({
      ...(customer.customer_id !== undefined
        ? { customer_id: customer.customer_id }
        : { external_customer_id: customer.external_customer_id }),
      ...(customer.member_id !== undefined ? { member_id: customer.member_id } : {}),
      ...(customer.external_member_id !== undefined ? { external_member_id: customer.external_member_id } : {}),
      ...(returnUrl !== undefined ? { return_url: returnUrl } : {}),
    });
    return { kind: 'portal', url: session.customer_portal_url };
  }

  /** Our success route, next to this request's own URL (so a global prefix or version is kept). */
  private successUrlFor(request: PolarCheckoutRequest): string {
    const origin = appOriginFor(request, this.config);
    if (origin === undefined)
      throw new PolarInvalidReturnUrlException('no-app-origin', CHECKOUT_MESSAGES.noOrigin, 'host');
    const raw = typeof request.originalUrl === 'string' ? request.originalUrl : String(request.url ?? '/');
    const path = raw.split('?', 1)[0]!.replace(/\/+$/, '');
    const base = path.slice(0, path.lastIndexOf('/'));
    return `${origin}${base}/success?checkout_id={CHECKOUT_ID}`;
  }

  private async metadataFor(request: PolarCheckoutRequest, plan: PolarResolvedPlan): Promise<PolarMetadata> {
    const hook = this.config.metadata;
    const own =
      hook === undefined
        ? {}
        : await this.identity.contained(
            CHECKOUT_MESSAGES.metadataLog,
            () => hook(request, plan),
            CHECKOUT_MESSAGES.metadataFailed,
            CHECKOUT_MESSAGES.metadataTimedOut(this.options.customerTimeoutMs),
          );
    const merged = { ...plan.metadata, ...(own as PolarMetadata) };
    const problem =
      metadataProblem(own, 'checkout.metadata') ??
      RESERVED_KEYS.filter((key) => key in merged).map((key) => `the key "${key}" is the module's own`)[0] ??
      metadataProblem({ ...merged, [CHECKOUT_PLAN_KEY]: plan.name, [CHECKOUT_FINGERPRINT_KEY]: 'x' }, 'metadata');
    if (problem !== undefined) throw new PolarPortalResolverException(CHECKOUT_MESSAGES.metadataInvalid(problem));
    return merged;
  }

  /**
   * The success page's check: the checkout exists, is this customer's (else 404, as if it did not
   * exist) and has succeeded (a `confirmed` one is read again for a few seconds); then the
   * customer's cached state is refreshed. Returns where to send them.
   */
  async succeeded(request: PolarCheckoutRequest): Promise<string> {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const id = query.checkout_id;
    assertUuid4('checkout_id', id);
    const customer = this.customerOf(request);
    let checkout = await this.checkoutById(id as string);
    if (customer !== null && !ownedBy(checkout, customer)) throw new PolarCheckoutNotFoundException();
    for (let poll = 0; checkout.status === 'confirmed' && poll < CONFIRMED_POLLS; poll++) {
      await sleep(CONFIRMED_POLL_MS);
      checkout = await this.checkoutById(id as string);
    }
    if (checkout.status !== 'succeeded') throw new PolarCheckoutNotSucceededException(checkout.status);
    if (customer !== null) await this.refresh(customer);
    // The configured page, checked at start-up; a path is resolved against the app origin like a default return URL.
    return returnUrlFor(request, undefined, { ...this.config, defaultReturnUrl: this.config.successPage })!;
  }

  private async checkoutById(id: string): Promise<models.Checkout> {
    try {
      return await this.runner.read(() => this.polar.checkouts.get(id));
    } catch (error) {
      if (error instanceof PolarNotFoundException) throw new PolarCheckoutNotFoundException({ cause: error });
      throw error;
    }
  }

  /** Asks the entitlements cache for a refetch; a failure or a hang only leaves the state stale. */
  private async refresh(customer: PolarCustomerIdentity): Promise<void> {
    const hook = this.stateRefresh;
    if (hook === null || hook === undefined) return;
    const who =
      customer.customer_id !== undefined
        ? { customer_id: customer.customer_id }
        : { external_customer_id: customer.external_customer_id };
    try {
      await withinDeadline('checkout success: customer state refresh', this.options.timeoutMs, () => hook.refresh(who));
    } catch (error) {
      this.logger.warn(CHECKOUT_MESSAGES.refreshFailedLog, describeThrown(error));
    }
  }
}

function idFilter(customer: PolarCustomerIdentity): { customer_id: string } | { external_customer_id: string } {
  return customer.customer_id !== undefined
    ? { customer_id: customer.customer_id }
    : { external_customer_id: customer.external_customer_id };
}

function ownedBy(checkout: models.Checkout, customer: PolarCustomerIdentity): boolean {
  return customer.customer_id !== undefined
    ? checkout.customer_id?.toLowerCase() === customer.customer_id.toLowerCase()
    : checkout.external_customer_id === customer.external_customer_id;
}

function linkOf(checkout: models.Checkout): PolarCheckoutLink {
  return { url: checkout.url, client_secret: checkout.client_secret, expires_at: checkout.expires_at };
}

/** The request's parameters: the query of a GET; the form (or JSON) body and the query of a POST. */
function readInput(request: PolarCheckoutRequest): Record<'return_url' | 'embed_origin' | 'seats', unknown> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const body =
    request.method === 'POST' && typeof request.body === 'object' && request.body !== null
      ? (request.body as Record<string, unknown>)
      : {};
  const read = (field: 'return_url' | 'embed_origin' | 'seats'): unknown => {
    const inQuery = Object.prototype.hasOwnProperty.call(query, field);
    const inBody = Object.prototype.hasOwnProperty.call(body, field);
    assertPolarParam(field, undefined, 'isSingle', CHECKOUT_MESSAGES.repeatedField(field), !(inQuery && inBody));
    return inBody ? body[field] : inQuery ? query[field] : undefined;
  };
  return { return_url: read('return_url'), embed_origin: read('embed_origin'), seats: read('seats') };
}

/** `seats` as the plan allows it: absent, or an integer within the plan's bounds. */
function checkSeats(value: unknown, plan: PolarResolvedPlan): number | undefined {
  if (value === undefined) return undefined;
  const bounds = plan.seats;
  assertPolarParam('seats', value, 'isAllowed', CHECKOUT_MESSAGES.seatsNotAllowed(plan.name), bounds !== undefined);
  const text = typeof value === 'number' ? String(value) : value;
  const seats = typeof text === 'string' && SEATS.test(text) ? Number(text) : Number.NaN;
  const { min, max } = bounds!;
  assertPolarParam(
    'seats',
    value,
    'isInRange',
    CHECKOUT_MESSAGES.seatsOutOfBounds(min, max),
    seats >= min && seats <= max,
  );
  return seats;
}
