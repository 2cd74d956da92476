import { randomBytes, randomUUID } from 'node:crypto';
import type { PolarEmulatorCustomer, PolarEmulatorMember } from '../emulator.types.js';
import { BillingFailure } from './billing.http.js';
import type { BillingStore, Resource, StoredOrder, StoredProduct, StoredSubscription } from './billing.store.js';

/** A seat as stored: the API's CustomerSeat plus the invitation token (never in an answer). */
export interface StoredSeat {
  id: string;
  created_at: string;
  modified_at: string | null;
  subscription_id: string | null;
  order_id: string | null;
  status: 'pending' | 'claimed' | 'revoked';
  customer_id: string | null;
  member_id: string | null;
  email: string | null;
  invitation_token: string | null;
  invitation_token_expires_at: string | null;
  claimed_at: string | null;
  revoked_at: string | null;
  seat_metadata: Record<string, unknown>;
}

/** A subscription or a one-time order with seats (Polar's `SeatContainer`). */
export type SeatContainer =
  { kind: 'subscription'; subscription: StoredSubscription } | { kind: 'order'; order: StoredOrder };

/** Who a seat goes to: `email`, `external_customer_id` / `customer_id`, or `external_member_id` / `member_id`. */
export interface SeatRecipient {
  email: string | null;
  external_customer_id: string | null;
  customer_id: string | null;
  external_member_id: string | null;
  member_id: string | null;
  metadata: Record<string, unknown> | null;
  immediate_claim: boolean;
}

const INVITATION_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Polar's `SeatError`s: `error` is the exception's class name, as Polar's error handler answers it. */
const fail = (status: number, error: string, detail: string): BillingFailure =>
  new BillingFailure(status, { error, detail });
const invalidToken = (): BillingFailure => fail(400, 'InvalidInvitationToken', 'Invalid or expired invitation token');
const invalidRequest = (
  detail = 'Exactly one of email, external_customer_id, or customer_id must be provided',
): BillingFailure => fail(400, 'InvalidSeatAssignmentRequest', detail);

/**
 * Customer seats of seat-based subscriptions and orders, as Polar's `customer_seat` service keeps them: a seat is
 * assigned (pending, with a one-day invitation token, or claimed at once with `immediate_claim`), claimed with the
 * token, revoked (it can be reused by the next assignment). The product's benefits are granted to the seat's
 * occupant when the seat is claimed and revoked with the seat. With the member model the seat belongs to the
 * billing customer and the occupant is a member of it (grants carry `member_id`); without it the occupant is a
 * customer of its own (found or created by email), also recorded as a member of the billing customer.
 */
export class SeatBook {
  readonly seats = new Map<string, StoredSeat>();

  constructor(private readonly billing: BillingStore) {}

  reset(): void {
    this.seats.clear();
  }

  private get customers() {
    return this.billing.customers;
  }

  /** The seats of a subscription or order, oldest first. */
  seatsOf(container: SeatContainer): StoredSeat[] {
    const id = containerId(container);
    return [...this.seats.values()].filter((seat) => (seat.subscription_id ?? seat.order_id) === id);
  }

  totalSeats(container: SeatContainer): number {
    const seats = container.kind === 'subscription' ? container.subscription.seats : container.order.seats;
    return typeof seats === 'number' ? seats : 0;
  }

  /** Pending and claimed seats of a subscription (Polar's `count_assigned_seats_for_subscription`). */
  assignedCount(subscriptionId: string): number {
    return [...this.seats.values()].filter(
      (seat) => seat.subscription_id === subscriptionId && seat.status !== 'revoked',
    ).length;
  }

  /** `seats` minus the pending and claimed ones (never below 0). */
  availableSeats(container: SeatContainer): number {
    const taken = this.seatsOf(container).filter((seat) => seat.status !== 'revoked').length;
    return Math.max(0, this.totalSeats(container) - taken);
  }

  /** Polar's `assign_seat`. */
  assign(container: SeatContainer, recipient: SeatRecipient): StoredSeat {
    const product = this.productOf(container);
    const sourceId = containerId(container);
    if (container.kind === 'order' && container.order.status === 'pending') {
      throw fail(400, 'SeatNotAvailable', 'Order must be paid before assigning seats');
    }
    if (this.availableSeats(container) <= 0) throw fail(400, 'SeatNotAvailable', `No available seats for ${sourceId}`);
    const billingCustomerId = billingCustomerOf(container);
    const target =
      this.customers.memberModel || recipient.external_member_id !== null || recipient.member_id !== null
        ? this.memberModelTarget(container, billingCustomerId, recipient)
        : this.legacyTarget(container, billingCustomerId, recipient);

    const now = this.billing.now();
    const claimed = recipient.immediate_claim;
    const fields = {
      status: claimed ? ('claimed' as const) : ('pending' as const),
      invitation_token: claimed ? null : randomBytes(32).toString('base64url'),
      invitation_token_expires_at: claimed
        ? null
        : new Date(this.billing.clock().getTime() + INVITATION_LIFETIME_MS).toISOString(),
      customer_id: target.customer_id,
      member_id: target.member?.id ?? null,
      email: target.email,
      seat_metadata: recipient.metadata ?? {},
      revoked_at: null,
      claimed_at: claimed ? now : null,
    };
    // A revoked seat of the container is reused before a new one is made.
    const revoked = this.seatsOf(container).find((seat) => seat.status === 'revoked');
    let seat: StoredSeat;
    if (revoked) {
      seat = Object.assign(revoked, fields, { modified_at: now });
    } else {
      seat = {
        id: randomUUID(),
        created_at: now,
        modified_at: null,
        subscription_id: container.kind === 'subscription' ? sourceId : null,
        order_id: container.kind === 'order' ? sourceId : null,
        ...fields,
      };
      this.seats.set(seat.id, seat);
    }
    if (claimed) this.claimed(seat, product);
    else this.billing.emitEvent('customer_seat.assigned', this.view(seat));
    return seat;
  }

  /** The pending seat an unexpired invitation token names, or undefined. */
  byToken(token: string): StoredSeat | undefined {
    for (const seat of this.seats.values()) {
      if (seat.invitation_token !== token || seat.status !== 'pending') continue;
      if (seat.invitation_token_expires_at !== null && seat.invitation_token_expires_at < this.billing.now()) return;
      return seat;
    }
    return undefined;
  }

  /** Polar's `claim_seat`: the seat becomes claimed, its occupant gets the benefits and a session token. */
  claim(token: string): { seat: StoredSeat; customer_session_token: string } {
    const seat = this.byToken(token);
    if (!seat || seat.customer_id === null) throw invalidToken();
    const product = this.productOf(this.containerOfSeat(seat));
    const customer = this.customers.findById(seat.customer_id);
    if (!customer) throw invalidToken();
    if (seat.member_id === null) {
      // Member model: the member is created under the billing customer on claim. Legacy: under the billing customer
      // too, for the occupant's own customer email.
      const email = this.customers.memberModel ? seat.email : customer.email;
      if (email) {
        const member = this.memberByEmail(billingCustomerOf(this.containerOfSeat(seat)), email);
        seat.member_id = member.id;
        if (!this.customers.memberModel) seat.email = email;
      } else if (this.customers.memberModel) throw invalidToken();
    }
    const now = this.billing.now();
    Object.assign(seat, { status: 'claimed', claimed_at: now, invitation_token: null, modified_at: now });
    const member = seat.member_id === null ? null : this.memberById(seat.member_id);
    const session = this.customers.createSession(customer, member ?? null, null);
    this.claimed(seat, product);
    return { seat, customer_session_token: session.token };
  }

  /** Polar's `revoke_seat`: the occupant's grants of the product are revoked, the seat is emptied (idempotent). */
  revoke(seat: StoredSeat): StoredSeat {
    if (seat.status === 'revoked') return seat;
    const customerId = seat.customer_id;
    const memberId = seat.member_id;
    const now = this.billing.now();
    Object.assign(seat, {
      status: 'revoked',
      revoked_at: now,
      modified_at: now,
      invitation_token: null,
      customer_id: null,
      member_id: null,
      email: null,
    });
    if (customerId !== null) {
      const revokedAny = this.billing.revokeGrantsWhere(
        (grant) =>
          grant.customer_id === customerId &&
          (grant.member_id ?? null) === memberId &&
          (seat.subscription_id !== null
            ? grant.subscription_id === seat.subscription_id
            : grant.order_id === seat.order_id),
      );
      if (revokedAny) this.billing.stateChanged(customerId);
    }
    this.billing.emitEvent('customer_seat.revoked', this.view(seat));
    return seat;
  }

  /** Polar's `revoke_all_seats_for_subscription` (the subscription was revoked): every seat still taken is revoked. */
  revokeAll(subscriptionId: string): void {
    for (const seat of [...this.seats.values()])
      if (seat.subscription_id === subscriptionId && seat.status !== 'revoked') this.revoke(seat);
  }

  /** Polar's `resend_invitation`: only a pending seat with a token and an email (no email is sent by the emulator). */
  resend(seat: StoredSeat): StoredSeat {
    if (seat.status !== 'pending') throw fail(400, 'SeatNotPending', 'Seat is not in pending status');
    if (seat.invitation_token === null || this.recipientEmail(seat) === null) throw invalidToken();
    return seat;
  }

  /** Polar's `SeatClaimInfo` (read-only: fetching it changes nothing). */
  claimInfo(seat: StoredSeat, organization: { name: string; slug: string }): Record<string, unknown> {
    const product = this.productOf(this.containerOfSeat(seat));
    return {
      product_name: product.name,
      product_id: product.id,
      organization_name: organization.name,
      organization_slug: organization.slug,
      customer_email: this.recipientEmail(seat) ?? '',
      can_claim: seat.status === 'pending',
    };
  }

  /** The seat as the API and webhooks return it (CustomerSeat). */
  view(seat: StoredSeat): Resource {
    const { invitation_token: _token, ...visible } = seat;
    const member = seat.member_id === null ? null : (this.memberById(seat.member_id) ?? null);
    const customer = seat.customer_id === null ? undefined : this.customers.findById(seat.customer_id);
    return structuredClone({ ...visible, member, customer_email: customer?.email ?? null });
  }

  /** The subscription or order of a seat. */
  containerOfSeat(seat: StoredSeat): SeatContainer {
    if (seat.subscription_id !== null)
      return { kind: 'subscription', subscription: this.billing.subscriptions.get(seat.subscription_id)! };
    return { kind: 'order', order: this.billing.orders.get(seat.order_id!)! };
  }

  private claimed(seat: StoredSeat, product: StoredProduct): void {
    const customerId = seat.customer_id!;
    for (const benefit of product.benefits)
      this.billing.grant(customerId, benefit, seat.subscription_id, seat.order_id, seat.member_id);
    this.billing.stateChanged(customerId);
    this.billing.emitEvent('customer_seat.claimed', this.view(seat));
  }

  private productOf(container: SeatContainer): StoredProduct {
    const productId =
      container.kind === 'subscription' ? container.subscription.product_id : (container.order.product_id as string);
    const product = this.billing.products.get(productId);
    if (!product) throw fail(400, 'SeatNotAvailable', 'Container has no associated product');
    return product;
  }

  /** Email priority of `get_claim_info` and `resend_invitation`: the seat's, its member's, its customer's. */
  private recipientEmail(seat: StoredSeat): string | null {
    if (seat.email) return seat.email;
    const member = seat.member_id === null ? undefined : this.memberById(seat.member_id);
    if (member) return member.email;
    return (seat.customer_id === null ? undefined : this.customers.findById(seat.customer_id))?.email ?? null;
  }

  private memberById(id: string): PolarEmulatorMember | undefined {
    return this.customers.allMembers().find((member) => member.id === id);
  }

  /** Polar's `member_service.get_or_create_by_email` under the billing customer. */
  private memberByEmail(customerId: string, email: string): PolarEmulatorMember {
    const existing = this.customers
      .membersOf(customerId)
      .find((member) => member.email.toLowerCase() === email.toLowerCase());
    return existing ?? this.customers.addMember(customerId, { email, role: 'member' }, true);
  }

  private active(container: SeatContainer): StoredSeat[] {
    return this.seatsOf(container).filter((seat) => seat.status !== 'revoked');
  }

  /** `_resolve_member_model_target`: the seat is the billing customer's, its occupant a member of it. */
  private memberModelTarget(
    container: SeatContainer,
    billingCustomerId: string,
    recipient: SeatRecipient,
  ): { customer_id: string; member: PolarEmulatorMember; email: string } {
    let email = recipient.email;
    if (recipient.customer_id !== null || recipient.external_customer_id !== null) {
      const customer =
        recipient.customer_id !== null
          ? this.liveCustomer(this.customers.findById(recipient.customer_id))
          : this.liveCustomer(this.customers.findByExternalId(recipient.external_customer_id!));
      if (!customer) throw invalidRequest('Customer not found for the provided customer_id or external_customer_id.');
      email ??= customer.email;
    }
    const member = this.resolveMember(billingCustomerId, email, recipient);
    const taken = this.active(container).some((seat) => seat.email?.toLowerCase() === member.email.toLowerCase());
    if (taken) throw fail(400, 'SeatAlreadyAssigned', `Seat already assigned to customer ${member.email}`);
    return { customer_id: billingCustomerId, member, email: member.email };
  }

  private resolveMember(
    billingCustomerId: string,
    email: string | null,
    recipient: SeatRecipient,
  ): PolarEmulatorMember {
    const members = this.customers.membersOf(billingCustomerId);
    if (recipient.member_id !== null) {
      const member = members.find((candidate) => candidate.id === recipient.member_id);
      if (!member) throw fail(404, 'MemberNotFound', `Member not found: ${recipient.member_id}`);
      return member;
    }
    if (recipient.external_member_id !== null) {
      const externalId = recipient.external_member_id;
      const mismatch = () =>
        fail(
          400,
          'MemberEmailMismatch',
          `Member with external_member_id '${externalId}' exists but has a different email than '${email}'`,
        );
      const byExternal = members.find((candidate) => candidate.external_id === externalId);
      if (byExternal) {
        if (email && byExternal.email.toLowerCase() !== email.toLowerCase()) throw mismatch();
        return byExternal;
      }
      if (!email) throw fail(404, 'MemberNotFound', `Member not found: ${externalId}`);
      const member = this.memberByEmail(billingCustomerId, email);
      if (member.external_id === null) member.external_id = externalId;
      else if (member.external_id !== externalId) throw mismatch();
      return member;
    }
    if (email) return this.memberByEmail(billingCustomerId, email);
    throw invalidRequest(
      'At least one of email, external_member_id, or member_id must be provided when member_model_enabled is true.',
    );
  }

  /** `_resolve_legacy_target`: the occupant is a customer of its own (created for an unknown email). */
  private legacyTarget(
    container: SeatContainer,
    billingCustomerId: string,
    recipient: SeatRecipient,
  ): { customer_id: string; member: PolarEmulatorMember | null; email: string | null } {
    const given = [recipient.email, recipient.external_customer_id, recipient.customer_id].filter((v) => v !== null);
    if (given.length !== 1) throw invalidRequest();
    let customer: PolarEmulatorCustomer | undefined;
    if (recipient.email !== null) {
      const wanted = recipient.email.toLowerCase();
      customer = this.customers.all().find((c) => c.deleted_at === null && c.email?.toLowerCase() === wanted);
    } else if (recipient.external_customer_id !== null) {
      customer = this.liveCustomer(this.customers.findByExternalId(recipient.external_customer_id));
    } else customer = this.liveCustomer(this.customers.findById(recipient.customer_id!));
    if (!customer) {
      if (recipient.email === null) {
        throw fail(
          404,
          'CustomerNotFound',
          `Customer not found: ${recipient.external_customer_id ?? recipient.customer_id}`,
        );
      }
      customer = this.customers.create({
        type: 'individual',
        email: recipient.email,
        external_id: null,
        name: null,
        metadata: {},
        billing_address: null,
        tax_id: null,
        locale: null,
        owner: null,
      });
    }
    const occupant = customer;
    if (this.active(container).some((seat) => seat.customer_id === occupant.id)) {
      const identifier = recipient.email ?? recipient.external_customer_id ?? recipient.customer_id;
      throw fail(400, 'SeatAlreadyAssigned', `Seat already assigned to customer ${identifier}`);
    }
    const member = occupant.email === null ? null : this.memberByEmail(billingCustomerId, occupant.email);
    return { customer_id: occupant.id, member, email: occupant.email };
  }

  private liveCustomer(customer: PolarEmulatorCustomer | undefined): PolarEmulatorCustomer | undefined {
    return customer && customer.deleted_at === null ? customer : undefined;
  }
}

function containerId(container: SeatContainer): string {
  return container.kind === 'subscription' ? container.subscription.id : container.order.id;
}

function billingCustomerOf(container: SeatContainer): string {
  return container.kind === 'subscription' ? container.subscription.customer_id : container.order.customer_id;
}
