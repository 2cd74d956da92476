import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ValidationFailure, type ValidationIssue } from './emulator.http.js';
import type {
  PolarEmulatorCustomer,
  PolarEmulatorCustomerSeed,
  PolarEmulatorMember,
  PolarEmulatorMemberSeed,
} from './emulator.types.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random letters and digits (unbiased). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: dropping larger bytes keeps every character equally likely.
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/** A customer session (or member session) the emulator issued. */
export interface StoredSession {
  id: string;
  token: string;
  customerId: string;
  memberId: string | null;
  returnUrl: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** Customer events: Polar's worker builds their payload after the request committed. */
export type CustomerEventType = 'customer.created' | 'customer.updated' | 'customer.deleted' | 'customer.state_changed';

/** An event emitted for webhooks. */
export type StoreEvent =
  | {
      type: CustomerEventType;
      /**
       * The payload from the customer row as it is when this runs (undefined once the row is gone): Polar enqueues
       * a `customer.webhook` job in the request and the worker reads the customer when it runs, after the commit
       * (customer/repository.py, customer/tasks.py `customer_webhook`), so a payload can carry later changes.
       */
      build: () => unknown;
    }
  | {
      type: 'member.created' | 'member.updated' | 'member.deleted';
      /** The payload as it was in the request: Polar's member service sends these there (member/service.py). */
      data: unknown;
    };

/** Fields a validated create request carries. */
export interface CustomerCreateInput {
  type: 'individual' | 'team';
  email: string | null;
  external_id: string | null;
  name: string | null;
  metadata: Record<string, string | number | boolean>;
  billing_address: PolarEmulatorCustomer['billing_address'];
  tax_id: [string, string] | null;
  locale: string | null;
  owner: { email: string; name: string | null; external_id: string | null } | null;
}

/** Filters of the list endpoint, already validated. */
export interface CustomerListQuery {
  page: number;
  limit: number;
  sorting: string[];
  email?: string;
  query?: string;
  organizationIds?: string[];
  metadata: Map<string, string[]>;
  /** `true`: only customers with a trialing, active or past_due subscription; `false`: only the others. */
  active?: boolean;
}

interface Entry {
  customer: PolarEmulatorCustomer;
  seq: number;
}

/** In-memory state of the emulated organization. */
export class EmulatorStore {
  readonly organizationId = randomUUID();
  private readonly entries = new Map<string, Entry>();
  // Polar's `_billing_name` column: the response's billing_name falls back to the name when it is null.
  private readonly billingNames = new WeakMap<PolarEmulatorCustomer, string | null>();
  private readonly members = new Map<string, PolarEmulatorMember[]>();
  private readonly sessions = new Map<string, StoredSession>();
  private seq = 0;
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  /**
   * Whether a customer has a billable (trialing, active or past_due) subscription: what the list's `active` filter
   * reads. The customer store has no subscriptions, so none has one unless a billing store says otherwise.
   */
  hasBillableSubscription: (customerId: string) => boolean = () => false;

  constructor(
    private readonly clock: () => Date,
    readonly memberModel: boolean,
  ) {}

  /** Forgets customers, members and sessions. */
  reset(): void {
    this.entries.clear();
    this.members.clear();
    this.sessions.clear();
  }

  /** Subscribes to customer events; returns the unsubscribe function. */
  onEvent(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(type: CustomerEventType, customer: PolarEmulatorCustomer): void {
    if (this.listeners.size === 0) return;
    const { id } = customer;
    for (const listener of this.listeners) listener({ type, build: () => this.customerPayload(type, id) });
  }

  /** The payload of a customer event from the stored row as it is now (soft-deleted included); undefined without one. */
  customerPayload(type: CustomerEventType, customerId: string): unknown {
    const customer = this.entries.get(customerId)?.customer;
    if (customer === undefined) return undefined;
    const data = type === 'customer.state_changed' ? this.state(customer) : structuredClone(customer);
    // Polar serialises `saved_external_id`: a deleted customer's payload still names its external id.
    const saved = customer.metadata.__external_id;
    if (customer.deleted_at !== null && customer.external_id === null && typeof saved === 'string') {
      (data as PolarEmulatorCustomer).external_id = saved;
    }
    return data;
  }

  private emitMember(type: 'member.created' | 'member.updated' | 'member.deleted', member: PolarEmulatorMember): void {
    for (const listener of this.listeners) listener({ type, data: structuredClone(member) });
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** Every stored customer, soft-deleted ones included, oldest first (copies). */
  all(): PolarEmulatorCustomer[] {
    return [...this.entries.values()].map((entry) => structuredClone(entry.customer));
  }

  /** A non-deleted customer by id. */
  findById(id: string): PolarEmulatorCustomer | undefined {
    const entry = this.entries.get(id);
    return entry && entry.customer.deleted_at === null ? entry.customer : undefined;
  }

  /** A non-deleted customer by external id. */
  findByExternalId(externalId: string): PolarEmulatorCustomer | undefined {
    for (const { customer } of this.entries.values()) {
      if (customer.deleted_at === null && customer.external_id === externalId) return customer;
    }
    return undefined;
  }

  private findByEmail(email: string): PolarEmulatorCustomer | undefined {
    const wanted = email.toLowerCase();
    for (const { customer } of this.entries.values()) {
      if (customer.deleted_at === null && customer.email?.toLowerCase() === wanted) return customer;
    }
    return undefined;
  }

  /** Polar's duplicate checks, both items when both collide. */
  private duplicates(email: string | null, externalId: string | null, self?: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const byEmail = email ? this.findByEmail(email) : undefined;
    if (byEmail && byEmail.id !== self) {
      issues.push({
        type: 'value_error',
        loc: ['body', 'email'],
        msg: 'A customer with this email address already exists.',
        input: email,
      });
    }
    const byExternal = externalId ? this.findByExternalId(externalId) : undefined;
    if (byExternal && byExternal.id !== self) {
      issues.push({
        type: 'value_error',
        loc: ['body', 'external_id'],
        msg: 'A customer with this external ID already exists.',
        input: externalId,
      });
    }
    return issues;
  }

  private blank(type: 'individual' | 'team'): PolarEmulatorCustomer {
    return {
      id: randomUUID(),
      created_at: this.now(),
      modified_at: null,
      metadata: {},
      external_id: null,
      email: null,
      email_verified: false,
      type,
      name: null,
      billing_name: null,
      billing_address: null,
      tax_id: null,
      locale: null,
      organization_id: this.organizationId,
      default_payment_method_id: null,
      deleted_at: null,
      first_user_event_at: null,
      avatar_url: null,
    };
  }

  private insert(customer: PolarEmulatorCustomer): void {
    this.entries.set(customer.id, { customer, seq: this.seq++ });
  }

  /** Creates a customer from a validated body; 422 on duplicates. */
  create(input: CustomerCreateInput): PolarEmulatorCustomer {
    const issues = this.duplicates(input.email, input.external_id);
    if (issues.length > 0) throw new ValidationFailure(issues, 'PolarRequestValidationError');
    const customer = this.blank(input.type);
    Object.assign(customer, {
      email: input.email,
      external_id: input.external_id,
      name: input.name,
      metadata: input.metadata,
      billing_address: input.billing_address,
      tax_id: input.tax_id,
      locale: input.locale,
      avatar_url: avatarFor(input.email),
    });
    this.setBillingName(customer, null);
    this.insert(customer);
    // Polar creates the owner member (and sends member.created) inside the request, before customer.created.
    if (this.memberModel) this.addOwner(customer, input.owner, true);
    this.emit('customer.created', customer);
    this.emit('customer.state_changed', customer);
    return customer;
  }

  /** Polar gives every customer an owner member: the given owner, or the customer's own email. */
  private addOwner(
    customer: PolarEmulatorCustomer,
    owner: { email: string; name?: string | null; external_id?: string | null } | null | undefined,
    announce = false,
  ): void {
    const email = owner?.email ?? customer.email;
    if (!email) return;
    if (customer.type === 'individual' && !this.memberModel && !owner) return;
    // `owner_name or customer.name`: a given owner without a name or external id takes the customer's.
    this.addMember(
      customer.id,
      {
        email: email.trim(),
        name: owner?.name || customer.name,
        external_id: owner?.external_id || customer.external_id,
        role: 'owner',
        created_at: customer.created_at,
      },
      announce,
    );
  }

  /** Stores Polar's own billing name and derives the returned `billing_name` (the name when none is set). */
  private setBillingName(customer: PolarEmulatorCustomer, billingName: string | null): void {
    this.billingNames.set(customer, billingName);
    customer.billing_name = billingName ?? customer.name;
  }

  /**
   * Polar's update checks, in its order and all in one 422: duplicate email, a billing address reset to null (refused
   * even when none was set), a changed or duplicate external id, a team downgraded to individual.
   */
  checkUpdate(
    customer: PolarEmulatorCustomer,
    patch: Partial<PolarEmulatorCustomer>,
    billingAddressReset = false,
  ): void {
    // Polar compares emails case-insensitively and then leaves the stored one as it was.
    if (patch.email !== undefined && patch.email?.toLowerCase() === customer.email?.toLowerCase()) delete patch.email;
    const newExternalId =
      patch.external_id !== undefined && patch.external_id !== customer.external_id ? patch.external_id : null;
    const issues: ValidationIssue[] = this.duplicates(patch.email ?? null, null, customer.id);
    if (billingAddressReset) {
      issues.push({
        type: 'value_error',
        loc: ['body', 'billing_address'],
        msg: 'Customer billing address cannot be reset to null once set.',
        input: null,
      });
    }
    if ('external_id' in patch && customer.external_id !== null && patch.external_id !== customer.external_id) {
      issues.push({
        type: 'value_error',
        loc: ['body', 'external_id'],
        msg: 'Customer external ID cannot be updated.',
        input: patch.external_id,
      });
    } else issues.push(...this.duplicates(null, newExternalId, customer.id));
    if ('type' in patch && patch.type !== 'team' && customer.type === 'team') {
      issues.push({
        type: 'value_error',
        loc: ['body', 'type'],
        msg: "Customer type cannot be downgraded from 'team' to 'individual'.",
        input: patch.type,
      });
    }
    if (issues.length > 0) throw new ValidationFailure(issues, 'PolarRequestValidationError');
  }

  /** Applies a patch that passed `checkUpdate`. */
  update(customer: PolarEmulatorCustomer, patch: Partial<PolarEmulatorCustomer>): PolarEmulatorCustomer {
    this.checkUpdate(customer, patch);
    if (patch.email !== undefined && patch.email !== customer.email) {
      customer.email_verified = false;
      customer.avatar_url = avatarFor(patch.email);
    }
    Object.assign(customer, patch);
    this.setBillingName(customer, this.billingNames.get(customer) ?? null);
    customer.modified_at = this.now();
    if (patch.email) this.syncOwnerEmail(customer);
    this.emit('customer.updated', customer);
    this.emit('customer.state_changed', customer);
    return customer;
  }

  /** An individual customer's owner member follows the customer's email, as Polar's `sync_owner_email` does. */
  private syncOwnerEmail(customer: PolarEmulatorCustomer): void {
    if (customer.type !== 'individual' || customer.email === null) return;
    const owner = this.membersOf(customer.id).find((member) => member.role === 'owner');
    if (owner && owner.email.toLowerCase() !== customer.email.toLowerCase()) owner.email = customer.email;
  }

  /**
   * Soft delete: every member goes first (member.deleted each), the external id is freed (kept in metadata
   * `__external_id`), and with `anonymize` the personal data is hashed or cleared as Polar's `anonymize` does.
   */
  delete(customer: PolarEmulatorCustomer, anonymize: boolean): void {
    const now = this.now();
    for (const member of [...this.membersOf(customer.id)]) this.removeMember(member);
    if (customer.external_id !== null) {
      customer.metadata = { ...customer.metadata, __external_id: customer.external_id };
      customer.external_id = null;
    }
    if (anonymize && customer.metadata.__anonymized_at === undefined) {
      const hash = (value: string): string =>
        createHash('sha256').update(pythonIsoFormat(customer.created_at)).update(value).digest('hex');
      if (customer.email !== null) customer.email = `${hash(customer.email)}@anonymized.polar.sh`;
      customer.email_verified = false;
      // Businesses (with a tax id) keep their name; tax_id and external_id are kept for legal reasons.
      if (customer.tax_id === null && customer.name) customer.name = hash(customer.name);
      const billingName = this.billingNames.get(customer) ?? null;
      this.setBillingName(customer, billingName ? hash(billingName) : null);
      customer.billing_address = null;
      customer.metadata = { ...customer.metadata, __anonymized_at: pythonIsoFormat(now) };
    }
    customer.deleted_at = now;
    customer.modified_at = now;
    for (const [token, session] of this.sessions) if (session.customerId === customer.id) this.sessions.delete(token);
    this.emit('customer.deleted', customer);
    this.emit('customer.state_changed', customer);
  }

  /** One page of non-deleted customers, filtered and sorted. */
  list(query: CustomerListQuery): { items: PolarEmulatorCustomer[]; total: number } {
    let matches = [...this.entries.values()].filter(({ customer }) => customer.deleted_at === null);
    if (query.organizationIds) {
      matches = matches.filter(({ customer }) => query.organizationIds!.includes(customer.organization_id));
    }
    if (query.email !== undefined) {
      const wanted = query.email.toLowerCase();
      matches = matches.filter(({ customer }) => customer.email?.toLowerCase() === wanted);
    }
    if (query.query !== undefined && query.query !== '') {
      const needle = query.query.toLowerCase();
      // email, name and Polar's own billing name contain it; the external id starts with it.
      matches = matches.filter(
        ({ customer }) =>
          [customer.email, customer.name, this.billingNames.get(customer) ?? null].some((field) =>
            field?.toLowerCase().includes(needle),
          ) || customer.external_id?.toLowerCase().startsWith(needle),
      );
    }
    if (query.active !== undefined) {
      matches = matches.filter(({ customer }) => this.hasBillableSubscription(customer.id) === query.active);
    }
    for (const [key, values] of query.metadata) {
      matches = matches.filter(({ customer }) => {
        const value = customer.metadata[key];
        return value !== undefined && values.includes(metadataText(value));
      });
    }
    matches.sort((a, b) => compareEntries(a, b, query.sorting));
    const start = (query.page - 1) * query.limit;
    return {
      items: matches.slice(start, start + query.limit).map((entry) => entry.customer),
      total: matches.length,
    };
  }

  /** Supplies the state's subscriptions, benefits and meters (the billing store); empty lists without it. */
  stateExtension?: (customer: PolarEmulatorCustomer) => Record<string, unknown>;

  /** The customer state: the customer plus its active subscriptions, granted benefits and active meters. */
  state(customer: PolarEmulatorCustomer): PolarEmulatorCustomer & Record<string, unknown> {
    return {
      ...structuredClone(customer),
      active_subscriptions: [],
      granted_benefits: [],
      active_meters: [],
      ...this.stateExtension?.(customer),
    };
  }

  /** Every member of every live customer, oldest first. */
  allMembers(): PolarEmulatorMember[] {
    return [...this.members.values()].flat();
  }

  /** Members of a customer, oldest first. */
  membersOf(customerId: string): PolarEmulatorMember[] {
    return this.members.get(customerId) ?? [];
  }

  /** Adds a member to a stored customer; `announce` sends member.created (API calls, not seeding). */
  addMember(customerId: string, seed: PolarEmulatorMemberSeed, announce = false): PolarEmulatorMember {
    const member: PolarEmulatorMember = {
      id: seed.id ?? randomUUID(),
      created_at: seed.created_at ?? this.now(),
      modified_at: seed.modified_at ?? null,
      customer_id: customerId,
      email: seed.email ?? `member-${randomAlphanumeric(8).toLowerCase()}@mailinator.com`,
      name: seed.name ?? null,
      external_id: seed.external_id ?? null,
      role: seed.role ?? 'member',
    };
    const list = this.members.get(customerId) ?? [];
    list.push(member);
    this.members.set(customerId, list);
    if (announce) this.emitMember('member.created', member);
    return member;
  }

  /** Applies a validated member patch. */
  updateMember(
    member: PolarEmulatorMember,
    patch: Partial<Pick<PolarEmulatorMember, 'email' | 'name' | 'role'>>,
  ): PolarEmulatorMember {
    Object.assign(member, patch);
    member.modified_at = this.now();
    this.emitMember('member.updated', member);
    return member;
  }

  /** Polar's ownership transfer: the current owner becomes billing_manager, then `next` the owner (no webhook of its own). */
  transferOwnership(current: PolarEmulatorMember, next: PolarEmulatorMember): void {
    current.role = 'billing_manager';
    current.modified_at = this.now();
    next.role = 'owner';
  }

  /** Removes a member; its sessions stop working. */
  removeMember(member: PolarEmulatorMember): void {
    const list = this.members.get(member.customer_id) ?? [];
    this.members.set(
      member.customer_id,
      list.filter((candidate) => candidate.id !== member.id),
    );
    for (const [token, session] of this.sessions) if (session.memberId === member.id) this.sessions.delete(token);
    this.emitMember('member.deleted', member);
  }

  /** Seeds a customer without validation or events. */
  seedCustomer(seed: PolarEmulatorCustomerSeed): PolarEmulatorCustomer {
    const { owner, ...fields } = seed;
    const type = fields.type ?? 'individual';
    const customer = this.blank(type);
    if (type === 'individual') customer.email = `customer-${randomAlphanumeric(8).toLowerCase()}@mailinator.com`;
    Object.assign(customer, fields, { organization_id: fields.organization_id ?? this.organizationId });
    if (fields.avatar_url === undefined) customer.avatar_url = avatarFor(customer.email);
    this.setBillingName(customer, fields.billing_name ?? null);
    this.insert(customer);
    this.addOwner(customer, owner ?? null);
    return structuredClone(customer);
  }

  /** Issues a session token for a customer (a member session when `member` is given). */
  createSession(
    customer: PolarEmulatorCustomer,
    member: PolarEmulatorMember | null,
    returnUrl: string | null,
  ): StoredSession {
    const createdAt = this.clock();
    const session: StoredSession = {
      id: randomUUID(),
      token: `${member ? 'polar_mst_' : 'polar_cst_'}${randomAlphanumeric(43)}`,
      customerId: customer.id,
      memberId: member?.id ?? null,
      returnUrl,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 60 * 60 * 1000),
    };
    this.forgetExpiredSessions(createdAt.getTime());
    this.sessions.set(session.token, session);
    return session;
  }

  /** Drops sessions past their expiry, so a long-running emulator does not keep every token it issued. */
  private forgetExpiredSessions(now: number): void {
    // Every session lives one hour, so Map order (creation order) is expiry order: stop at the first live one.
    for (const [token, session] of this.sessions) {
      if (session.expiresAt.getTime() > now) break;
      this.sessions.delete(token);
    }
  }

  /** A session by token, when it exists, has not expired and its customer is not deleted. */
  findSession(token: string): StoredSession | undefined {
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (session.expiresAt.getTime() <= this.clock().getTime()) return undefined;
    if (!this.findById(session.customerId)) return undefined;
    return session;
  }
}

/** Gravatar-style avatar, like Polar computes for e-mail addresses. */
function avatarFor(email: string | null | undefined): string | null {
  if (!email) return null;
  const digest = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${digest}?d=404`;
}

/** A UTC ISO timestamp as Python's `datetime.isoformat()` writes it (microseconds, `+00:00`), which Polar hashes. */
function pythonIsoFormat(iso: string): string {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (!match) return iso;
  const micros = (match[2] ?? '').padEnd(6, '0').slice(0, 6);
  return `${match[1]}${/^0+$/.test(micros) ? '' : `.${micros}`}+00:00`;
}

function metadataText(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}

function compareEntries(a: Entry, b: Entry, sorting: string[]): number {
  for (const criterion of sorting) {
    const descending = criterion.startsWith('-');
    const field = (descending ? criterion.slice(1) : criterion) as 'created_at' | 'email' | 'name';
    const left = a.customer[field];
    const right = b.customer[field];
    let order = 0;
    if (left === right) order = 0;
    else if (left === null) order = 1;
    else if (right === null) order = -1;
    else order = left < right ? -1 : 1;
    if (field === 'created_at' && order === 0) order = a.seq - b.seq;
    if (order !== 0) return descending ? -order : order;
  }
  return b.seq - a.seq;
}
