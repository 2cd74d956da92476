/** Options of `PolarEmulator.start()`. */
export interface PolarEmulatorOptions {
  /**
   * TCP port on 127.0.0.1; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * The organization access token the emulator accepts with every scope.
   * @default a generated `polar_oat_…` token
   */
  accessToken?: string;
  /**
   * Slug of the emulated organization; used in customer portal URLs.
   * @default 'emulator-org'
   */
  organizationSlug?: string;
  /**
   * Emulates an organization with `member_model_enabled`: sessions become member sessions.
   * @default false
   */
  memberModel?: boolean;
  /**
   * Source of "now" for timestamps, session expiry and rate-limit windows.
   * @default () => new Date()
   */
  clock?: () => Date;
  /**
   * Fixed-window rate limit per organization; `false` turns it off.
   * @default { limit: 500, windowSeconds: 60 }
   */
  rateLimit?: PolarEmulatorRateLimit | false;
  /**
   * Which Polar deployment is emulated (sandbox's default rate limit is 100/min).
   * @default 'production'
   */
  environment?: 'production' | 'sandbox';
  /**
   * How many requests `requests` keeps, and how many attempts `webhookDeliveries` keeps (oldest dropped
   * first), so a long-running emulator stays small.
   * @default 10000
   */
  maxRecordedRequests?: number;
}

/** A fixed-window rate limit: at most `limit` requests per `windowSeconds`. */
export interface PolarEmulatorRateLimit {
  limit: number;
  windowSeconds: number;
}

/** One request the emulator received, as recorded for assertions (never the Authorization header or a session token). */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/customers/`. */
  path: string;
  /** Query parameters; repeated names give arrays. */
  query: Record<string, string | string[]>;
  /** Parsed JSON body, the raw text when it was not JSON, `undefined` when empty. */
  body: unknown;
  /** Status answered; 0 while pending or when the connection was hung up or reset. */
  status: number;
  /** When the request arrived (the emulator clock). */
  at: Date;
}

/** A postal address as Polar returns it. */
export interface PolarEmulatorAddress {
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  city: string | null;
  state: string | null;
  country: string;
}

/** Metadata values Polar accepts. */
export type PolarEmulatorMetadata = Record<string, string | number | boolean>;

/** A customer exactly as the API returns it (API version 2026-10). */
export interface PolarEmulatorCustomer {
  id: string;
  created_at: string;
  modified_at: string | null;
  metadata: PolarEmulatorMetadata;
  external_id: string | null;
  email: string | null;
  email_verified: boolean;
  type: 'individual' | 'team';
  name: string | null;
  billing_name: string | null;
  billing_address: PolarEmulatorAddress | null;
  tax_id: [string, string] | null;
  locale: string | null;
  organization_id: string;
  default_payment_method_id: string | null;
  deleted_at: string | null;
  first_user_event_at: string | null;
  avatar_url: string | null;
}

/** A member of a (team) customer, as the API returns it. */
export interface PolarEmulatorMember {
  id: string;
  created_at: string;
  modified_at: string | null;
  customer_id: string;
  email: string;
  name: string | null;
  external_id: string | null;
  role: 'owner' | 'billing_manager' | 'member';
}

/** Seed data for `seedCustomer`: any customer field; the rest is filled in. */
export type PolarEmulatorCustomerSeed = Partial<PolarEmulatorCustomer> & {
  /** For team customers: becomes the owner member. */
  owner?: { email: string; name?: string | null; external_id?: string | null };
};

/** Seed data for `seedMember`. */
export type PolarEmulatorMemberSeed = Partial<Omit<PolarEmulatorMember, 'customer_id'>>;

/** Where a fault applies. */
export interface PolarEmulatorFaultScope {
  /** Only requests whose path starts with this string, or matches this RegExp. @default every path */
  path?: string | RegExp;
  /** How many matching requests it affects before it is removed. @default unlimited */
  times?: number;
}

/** Fault injection, switchable while the emulator runs. */
export interface PolarEmulatorFaults {
  /** Delays matching responses by `ms` milliseconds. */
  latency(ms: number, scope?: PolarEmulatorFaultScope): void;
  /** The next `n` matching requests answer `status` (e.g. 500, 502, 503, 429). */
  failNext(n: number, status: number, scope?: Omit<PolarEmulatorFaultScope, 'times'>): void;
  /** Every matching request answers `status` until cleared; `null` clears forced statuses. */
  forceStatus(status: number | null, scope?: PolarEmulatorFaultScope): void;
  /** Matching requests never get an answer (until the client gives up or the emulator stops). */
  hang(scope?: PolarEmulatorFaultScope): void;
  /** Matching requests get their TCP connection reset. */
  resetConnection(scope?: PolarEmulatorFaultScope): void;
  /** Matching requests are handled but the JSON body is cut short. */
  malformedJson(scope?: PolarEmulatorFaultScope): void;
  /** Removes every fault. */
  clear(): void;
}

/**
 * How Polar signs an endpoint's deliveries: `standard` (Standard Webhooks, keyed by the base64 after `whsec_`: Polar's
 * endpoints created since 2026-09-08) or `legacy` (keyed by the UTF-8 bytes of the whole secret: older endpoints).
 */
export type PolarEmulatorWebhookScheme = 'standard' | 'legacy';

/** Where `sendWebhooks` delivers events. */
export interface PolarEmulatorWebhookTarget {
  /** Endpoint URL, e.g. `http://127.0.0.1:3000/polar/webhooks`. */
  url: string;
  /** The endpoint's secret, `whsec_<base64>` (with `standard`, a secret in another form is used as raw key bytes). */
  secret: string;
  /**
   * Signing scheme of the emulated endpoint.
   * @default 'standard'
   */
  scheme?: PolarEmulatorWebhookScheme;
  /**
   * Extra attempts after a delivery that got no 2xx (a 3xx included: redirects are not followed).
   * @default 9 (Polar's 10 attempts per event)
   */
  retries?: number;
  /**
   * A fixed real-time pause before each retry, in milliseconds. Unset: Polar's backoff (4 s, 8 s, … up to 20 min)
   * on the emulator clock, so a test moves its `clock` on and calls `waitForWebhooks()` instead of waiting.
   * @default Polar's backoff
   */
  retryDelayMs?: number;
}

/** One webhook delivery attempt, recorded for assertions. */
export interface PolarEmulatorWebhookDelivery {
  /** `webhook-id` header (the same on every attempt of one event). */
  id: string;
  type: string;
  url: string;
  attempt: number;
  /** HTTP status the endpoint answered; 0 on a network failure. */
  status: number;
  /** The exact bytes sent. */
  body: string;
}
