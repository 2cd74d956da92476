import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ALL_SCOPES, EmulatorTokens } from './emulator.auth.js';
import { EmulatorFaults } from './emulator.faults.js';
import {
  EMULATED_API_VERSION,
  NotFoundFailure,
  ValidationFailure,
  queryToRecord,
  sendJson,
  sendNotFound,
  sendRouteNotFound,
  sendText,
  sendValidation,
  type RequestContext,
} from './emulator.http.js';
import { FixedWindowRateLimiter } from './emulator.rate-limiter.js';
import { matchRoute, type Route } from './emulator.router.js';
import { EmulatorStore, randomAlphanumeric } from './emulator.store.js';
import type {
  PolarEmulatorCustomer,
  PolarEmulatorCustomerSeed,
  PolarEmulatorFaults,
  PolarEmulatorMember,
  PolarEmulatorMemberSeed,
  PolarEmulatorOptions,
  PolarEmulatorWebhookDelivery,
  PolarEmulatorWebhookTarget,
  RecordedRequest,
} from './emulator.types.js';
import { WebhookSender } from './emulator.webhooks.js';
import { customerRoutes } from './customers.routes.js';
import { memberRoutes } from './members.routes.js';
import { portalRoutes } from './portal.page.js';
import { sessionRoutes } from './sessions.routes.js';
import { BillingStore } from './billing/billing.store.js';
import { PolarEmulatorBilling, TestClock } from './billing/billing.control.js';
import { catalogRoutes } from './billing/catalog.routes.js';
import { checkoutRoutes } from './billing/checkout.routes.js';
import { subscriptionRoutes } from './billing/subscriptions.routes.js';
import { usageRoutes } from './billing/usage.routes.js';
import { refundRoutes } from './billing/refunds.routes.js';
import { licenseKeyRoutes } from './billing/license-keys.routes.js';
import { discountRoutes } from './billing/discounts.routes.js';
import { disputeRoutes } from './billing/disputes.routes.js';
import { portalLicenseKeyRoutes } from './billing/portal-license-keys.routes.js';
import { seatRoutes } from './billing/seats.routes.js';
import { benefitGrantRoutes } from './billing/benefit-grants.routes.js';

const MAX_BODY_BYTES = 1024 * 1024;
// Python's json gives up near its recursion limit (1000); JavaScript's JSON.stringify overflows the stack a few
// thousand levels down, so deeper bodies are refused before anything echoes them back.
const MAX_JSON_DEPTH = 1000;
const RATE_LIMIT_KEY = 'organization';

/**
 * A local stand-in for the Polar API (version 2026-10) over real HTTP on 127.0.0.1, for tests.
 * @example const polar = await PolarEmulator.start(); createPolar({ accessToken: polar.accessToken, baseUrl: polar.url });
 */
export class PolarEmulator {
  /** Fault injection, switchable while running. */
  readonly faults: PolarEmulatorFaults;
  /** The organization token accepted with every scope. */
  readonly accessToken: string;
  /** Slug of the emulated organization (used in portal URLs). */
  readonly organizationSlug: string;
  /** Test control of the billing lifecycle: `advanceTime`, `failNextPayments`, `pay`, and what the emulator holds. */
  readonly billing: PolarEmulatorBilling;

  private readonly store: EmulatorStore;
  private readonly billingStore: BillingStore;
  private readonly testClock: TestClock;
  private readonly tokens = new EmulatorTokens();
  private readonly faultState = new EmulatorFaults();
  private readonly limiter: FixedWindowRateLimiter;
  private readonly webhooks: WebhookSender;
  private readonly routes: Route[];
  private readonly log: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly clock: () => Date;
  private readonly retryAfterSeconds: number;
  private readonly maxRecordedRequests: number;
  private server?: Server;
  private baseUrl = '';

  private constructor(options: PolarEmulatorOptions) {
    this.testClock = new TestClock(options.clock);
    this.clock = this.testClock.now;
    this.accessToken = options.accessToken ?? `polar_oat_${randomAlphanumeric(43)}`;
    this.organizationSlug = options.organizationSlug ?? 'emulator-org';
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(this.organizationSlug)) {
      throw new TypeError('PolarEmulator: organizationSlug must be letters, digits, "-" or "_"');
    }
    const rateLimit =
      options.rateLimit === undefined
        ? { limit: options.environment === 'sandbox' ? 100 : 500, windowSeconds: 60 }
        : options.rateLimit;
    this.retryAfterSeconds = rateLimit ? rateLimit.windowSeconds : 60;
    this.maxRecordedRequests = options.maxRecordedRequests ?? 10_000;
    if (!Number.isInteger(this.maxRecordedRequests) || this.maxRecordedRequests < 0) {
      throw new RangeError('PolarEmulator: maxRecordedRequests must be a non-negative integer');
    }
    this.limiter = new FixedWindowRateLimiter(rateLimit, this.clock);
    this.store = new EmulatorStore(this.clock, options.memberModel ?? false);
    this.tokens.add(this.accessToken, ALL_SCOPES);
    this.faults = this.faultState;
    this.webhooks = new WebhookSender(this.clock, this.maxRecordedRequests);
    this.store.onEvent((event) =>
      'build' in event
        ? this.webhooks.sendAfterCommit(event.type, event.build)
        : this.webhooks.send(event.type, event.data),
    );
    this.billingStore = new BillingStore(
      this.store,
      this.clock,
      (event) => {
        // Billing sends its own events from the request, as Polar's services do; a customer's state is built by the
        // worker's `customer.state_changed` job after the commit, from the state as it is then (audit W7).
        const customerId = (event.data as { id?: unknown } | null)?.id;
        if (event.type === 'customer.state_changed' && typeof customerId === 'string') {
          this.webhooks.sendAfterCommit(event.type, () =>
            this.store.customerPayload('customer.state_changed', customerId),
          );
        } else this.webhooks.send(event.type, event.data);
      },
      () => this.baseUrl,
    );
    this.store.stateExtension = (customer) => this.billingStore.stateOf(customer.id);
    this.store.hasBillableSubscription = (customerId) => this.billingStore.hasBillableSubscription(customerId);
    this.billing = new PolarEmulatorBilling(this.billingStore, this.testClock);
    this.routes = [
      ...memberRoutes(this.store),
      ...customerRoutes(this.store),
      ...sessionRoutes(this.store, () => this.baseUrl, this.organizationSlug),
      ...portalRoutes(this.store, this.organizationSlug, {
        of: (customerId) =>
          [...this.billingStore.subscriptions.values()]
            .filter((s) => s.customer_id === customerId && s.status !== 'canceled')
            .map((s) => ({
              id: s.id,
              product: String(this.billingStore.products.get(s.product_id)?.name ?? s.product_id),
              status: s.status,
              cancel_at_period_end: s.cancel_at_period_end,
            })),
        cancelAtPeriodEnd: (customerId, id) => {
          const subscription = this.billingStore.subscriptions.get(id);
          if (!subscription || subscription.customer_id !== customerId || subscription.status === 'canceled')
            return false;
          this.billingStore.setCancelAtPeriodEnd(subscription, true, null, null);
          return true;
        },
      }),
      ...catalogRoutes(this.billingStore),
      ...checkoutRoutes(this.billingStore, () => this.baseUrl, this.organizationSlug),
      ...subscriptionRoutes(this.billingStore),
      ...usageRoutes(this.billingStore),
      ...refundRoutes(this.billingStore),
      ...licenseKeyRoutes(this.billingStore),
      ...discountRoutes(this.billingStore),
      ...disputeRoutes(this.billingStore),
      ...portalLicenseKeyRoutes(this.billingStore, (token) => this.tokens.knows(token)),
      ...seatRoutes(this.billingStore, this.organizationSlug),
      ...benefitGrantRoutes(this.billingStore),
    ];
  }

  /** Starts an emulator listening on 127.0.0.1. */
  static async start(options: PolarEmulatorOptions = {}): Promise<PolarEmulator> {
    const emulator = new PolarEmulator(options);
    await emulator.listen(options.port ?? 0);
    return emulator;
  }

  /** Base URL, e.g. `http://127.0.0.1:54321` (no trailing slash): pass it as the SDK's `baseUrl`. */
  get url(): string {
    return this.baseUrl;
  }

  /** ID of the emulated organization (`organization_id` of every customer). */
  get organizationId(): string {
    return this.store.organizationId;
  }

  /** Requests received so far, oldest first. */
  get requests(): RecordedRequest[] {
    return [...this.log];
  }

  /** Every stored customer, soft-deleted ones included, oldest first (copies). */
  get customers(): PolarEmulatorCustomer[] {
    return this.store.all();
  }

  /** Webhook delivery attempts so far, oldest first. */
  get webhookDeliveries(): PolarEmulatorWebhookDelivery[] {
    return [...this.webhooks.deliveries];
  }

  /** Accepts another token, limited to `scopes` (e.g. to provoke 403 insufficient_scope). */
  addToken(token: string, scopes: string[]): void {
    this.tokens.add(token, scopes);
  }

  /** Forgets customers, sessions, billing (products to usage), recorded requests and deliveries, faults, rate-limit counters and advanced time. */
  reset(): void {
    this.store.reset();
    this.billingStore.reset();
    this.testClock.reset();
    this.log.length = 0;
    this.faultState.clear();
    this.limiter.reset();
    this.webhooks.clearDeliveries();
  }

  /** Empties the request log. */
  clearRequests(): void {
    this.log.length = 0;
  }

  /** Stores a customer directly (no validation, no webhooks); missing fields get defaults. */
  seedCustomer(partial: PolarEmulatorCustomerSeed = {}): PolarEmulatorCustomer {
    return this.store.seedCustomer(partial);
  }

  /** Adds a member to a stored customer (role `member` unless given). */
  seedMember(customerId: string, partial: PolarEmulatorMemberSeed = {}): PolarEmulatorMember {
    if (!this.store.findById(customerId)) throw new Error(`seedMember: no customer with id ${customerId}`);
    return structuredClone(this.store.addMember(customerId, partial));
  }

  /** Delivers signed `customer.*` and `member.*` events to `url` from now on; returns the function that stops it. */
  sendWebhooks(target: PolarEmulatorWebhookTarget): () => void {
    return this.webhooks.add(target);
  }

  /** Delivers one event of any type (e.g. `order.paid`) to every registered webhook endpoint. */
  emitWebhook(type: string, data: unknown): void {
    this.webhooks.send(type, data);
  }

  /**
   * Resolves when every webhook delivery in flight has finished, retries included once they are due on the emulator
   * clock (Polar's backoff: move a test clock on and call again to send the next attempts).
   */
  waitForWebhooks(): Promise<void> {
    return this.webhooks.idle();
  }

  /** Closes the server, dropping open (and hung) connections. */
  async stop(): Promise<void> {
    this.webhooks.stop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      server.closeAllConnections();
    });
  }

  private listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.crash(res, error));
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A client that sent garbage gets a 400 instead of an uncaught error.
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }

  private crash(res: ServerResponse, error: unknown): void {
    console.error(`PolarEmulator: internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(500, {
        'polar-version': EMULATED_API_VERSION,
        'content-type': 'application/json',
        'cache-control': 'private, no-store',
      });
      res.end(JSON.stringify({ error: 'InternalServerError', detail: 'The emulator failed to handle this request.' }));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req.url ?? '/');
    if (!url) {
      // A request target no URL parser accepts (e.g. `http://[`) is the client's fault: 400, as for garbage.
      res.writeHead(400, {
        'polar-version': EMULATED_API_VERSION,
        'cache-control': 'private, no-store',
        'content-type': 'text/plain; charset=utf-8',
        connection: 'close',
      });
      res.end('Invalid HTTP request received.');
      return;
    }
    const rawBody = await readBody(req);
    let body: unknown = undefined;
    let bodyError: 'invalid' | 'too-deep' | undefined;
    if (rawBody !== undefined && rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
        if (nestingDepth(rawBody) > MAX_JSON_DEPTH) bodyError = 'too-deep';
      } catch {
        bodyError = 'invalid';
      }
      if (bodyError) body = rawBody;
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      // Checkout client secrets are secrets too: the log keeps their kind only.
      path: url.pathname.replace(/polar_c_[A-Za-z0-9]+/g, 'polar_c_[redacted]'),
      query: redactSecrets(queryToRecord(url.searchParams)),
      body,
      status: 0,
      at: this.clock(),
    };
    this.log.push(record);
    if (this.log.length > this.maxRecordedRequests) this.log.splice(0, this.log.length - this.maxRecordedRequests);
    const versionHeader = req.headers['polar-version'];
    const requestedVersion = Array.isArray(versionHeader) ? versionHeader[0] : versionHeader;
    const ctx: RequestContext = {
      req,
      res,
      method: record.method,
      path: url.pathname,
      query: url.searchParams,
      body,
      version: requestedVersion ?? EMULATED_API_VERSION,
      malformed: false,
      record,
      params: {},
    };
    // Refused whole, as a proxy in front of an API does, rather than handled cut short at the limit.
    if (rawBody === undefined) return sendJson(ctx, 413, { detail: 'Request Entity Too Large' });

    const plan = this.faultState.plan(ctx.path);
    if (plan.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, plan.latencyMs));
    switch (plan.terminal?.kind) {
      case 'hang':
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'status':
        return this.sendForcedStatus(ctx, plan.terminal.status);
      case 'malformed':
        ctx.malformed = true;
        break;
    }

    const match = matchRoute(this.routes, ctx.method, ctx.path);
    const isPage = match.kind === 'found' && match.route.scopes === null;
    if (!isPage) {
      const retryAfter = this.limiter.hit(RATE_LIMIT_KEY);
      if (retryAfter !== undefined) return sendJson(ctx, 429, undefined, { 'retry-after': String(retryAfter) });
      if (requestedVersion !== undefined && requestedVersion !== EMULATED_API_VERSION) return sendRouteNotFound(ctx);
    }
    if (match.kind === 'not-found') return sendRouteNotFound(ctx);
    if (match.kind === 'method-not-allowed') return sendJson(ctx, 405, { detail: 'Method Not Allowed' });
    if (match.route.scopes !== null && !this.tokens.authorize(ctx, match.route.scopes)) return;
    if (bodyError === 'too-deep' && (ctx.method === 'POST' || ctx.method === 'PATCH')) {
      // FastAPI's answer when parsing fails with anything but a JSON syntax error (here a RecursionError).
      return sendJson(ctx, 400, { detail: 'There was an error parsing the body' });
    }
    const isForm = /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
    if (bodyError === 'invalid' && (ctx.method === 'POST' || ctx.method === 'PATCH') && !(isPage && isForm)) {
      return sendValidation(
        ctx,
        new ValidationFailure([
          {
            type: 'json_invalid',
            loc: ['body', 0],
            msg: 'JSON decode error',
            input: {},
            ctx: { error: 'Expecting value' },
          },
        ]),
      );
    }
    ctx.params = match.params;
    try {
      await match.route.handle(ctx);
    } catch (error) {
      if (error instanceof ValidationFailure) return sendValidation(ctx, error);
      if (error instanceof NotFoundFailure) return sendNotFound(ctx);
      throw error;
    }
  }

  private sendForcedStatus(ctx: RequestContext, status: number): void {
    if (status === 429) return sendJson(ctx, 429, undefined, { 'retry-after': String(this.retryAfterSeconds) });
    if (status === 204 || status === 304) return sendJson(ctx, status);
    const reason = STATUS_CODES[status] ?? 'Error';
    // Gateways in front of Polar answer 502/503/504 with plain text, not JSON.
    if (status === 502 || status === 503 || status === 504)
      return sendText(ctx, status, `${status} ${reason}`, 'text/plain; charset=utf-8');
    sendJson(ctx, status, { detail: reason });
  }
}

/** Session tokens are secrets: the log keeps only their kind (`polar_cst_` or `polar_mst_`). */
function redactSecrets(query: Record<string, string | string[]>): Record<string, string | string[]> {
  const token = query.customer_session_token;
  if (token === undefined) return query;
  const redact = (value: string): string => `${/^polar_[a-z]+_/.exec(value)?.[0] ?? ''}[redacted]`;
  return { ...query, customer_session_token: Array.isArray(token) ? token.map(redact) : redact(token) };
}

/** The request target as a URL; origin-form paths stay paths (`//x/y` is not a host), `undefined` when unparsable. */
function requestUrl(target: string): URL | undefined {
  try {
    return new URL(target.startsWith('/') ? `http://127.0.0.1${target}` : target);
  } catch {
    return undefined;
  }
}

/** How deeply arrays and objects nest in a valid JSON text (brackets inside strings do not count). */
function nestingDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      deepest = Math.max(deepest, ++depth);
    } else if (char === ']' || char === '}') {
      depth--;
    }
  }
  return deepest;
}

/** The body as text; `undefined` when it is larger than MAX_BODY_BYTES (the rest is read and dropped). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    // An aborted upload still gets handled; the answer just goes nowhere.
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
