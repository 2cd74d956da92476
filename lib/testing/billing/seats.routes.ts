import { ValidationFailure, sendJson, type RequestContext } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { bodyObject } from '../customers.routes.js';
import {
  Issues,
  checkEmail,
  checkString,
  checkUuid,
  checkUuid4,
  isObject,
  pythonJsonDumps,
} from '../emulator.validation.js';
import type { BillingStore } from './billing.store.js';
import { BillingFailure, billingRoute, checkBool, nullable, required, throwIfAny } from './billing.http.js';
import type { SeatContainer, SeatRecipient, StoredSeat } from './seats.js';

const SEATS_READ = ['customer_seats:read', 'customer_seats:write'];
const SEATS_WRITE = ['customer_seats:write'];

const notFound = (detail: string): BillingFailure => new BillingFailure(404, { error: 'ResourceNotFound', detail });
const badRequest = (detail: string): BillingFailure => new BillingFailure(400, { error: 'BadRequest', detail });

/** A `SeatAssign` body: field checks, then its two model validators (seat source, recipient) as Polar words them. */
function parseSeatAssign(raw: unknown): { subscription_id: string | null; order_id: string | null } & SeatRecipient {
  const body = bodyObject(raw);
  const issues = new Issues();
  const uuid = (field: string) => nullable(body[field], ['body', field], issues, checkUuid);
  const text = (field: string) => nullable(body[field], ['body', field], issues, checkString);
  const parsed = {
    subscription_id: uuid('subscription_id'),
    order_id: uuid('order_id'),
    email: nullable(body.email, ['body', 'email'], issues, checkEmail),
    external_customer_id: text('external_customer_id'),
    customer_id: uuid('customer_id'),
    external_member_id: text('external_member_id'),
    member_id: uuid('member_id'),
    metadata: null as Record<string, unknown> | null,
    immediate_claim:
      body.immediate_claim === undefined
        ? false
        : (checkBool(body.immediate_claim, ['body', 'immediate_claim'], issues) ?? false),
  };
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isObject(body.metadata))
      issues.add('dict_type', ['body', 'metadata'], 'Input should be a valid dictionary', body.metadata);
    else if (Object.keys(body.metadata).length > 10)
      issues.add(
        'value_error',
        ['body', 'metadata'],
        'Value error, Metadata cannot have more than 10 keys',
        body.metadata,
        {
          error: {},
        },
      );
    else if (pythonJsonDumps(body.metadata).length > 1024)
      issues.add('value_error', ['body', 'metadata'], 'Value error, Metadata size cannot exceed 1KB', body.metadata, {
        error: {},
      });
    else parsed.metadata = body.metadata;
  }
  throwIfAny(issues);
  const modelError = (message: string): never => {
    throw new ValidationFailure([
      { type: 'value_error', loc: ['body'], msg: `Value error, ${message}`, input: body, ctx: { error: {} } },
    ]);
  };
  if ([parsed.subscription_id, parsed.order_id].filter((id) => id !== null).length !== 1)
    modelError('Exactly one of subscription_id or order_id must be provided');
  const legacy = [parsed.external_customer_id, parsed.customer_id].filter((v) => v !== null).length;
  const member = [parsed.external_member_id, parsed.member_id].filter((v) => v !== null).length;
  const hasEmail = parsed.email !== null ? 1 : 0;
  if (legacy + member + hasEmail === 0)
    modelError(
      'At least one of email, external_customer_id, customer_id, external_member_id, or member_id must be provided',
    );
  if (legacy > 0 && member > 0)
    modelError('Cannot combine external_customer_id/customer_id with external_member_id/member_id');
  if (member > 1) modelError('Cannot provide both external_member_id and member_id');
  if (legacy > 0 && legacy + hasEmail !== 1)
    modelError('Exactly one of email, external_customer_id, or customer_id must be provided');
  if (parsed.member_id !== null && hasEmail) modelError('Cannot combine member_id with email');
  return parsed;
}

/** The subscription or order a request names (`subscription_id` wins, as in Polar's endpoint); 404 when unknown. */
function containerOf(store: BillingStore, subscriptionId: string | null, orderId: string | null): SeatContainer {
  if (subscriptionId !== null) {
    const subscription = store.subscriptions.get(subscriptionId);
    if (!subscription) throw notFound('Subscription not found');
    return { kind: 'subscription', subscription };
  }
  if (orderId !== null) {
    const order = store.orders.get(orderId);
    if (!order) throw notFound('Order not found');
    return { kind: 'order', order };
  }
  throw badRequest('Either subscription_id or order_id must be provided');
}

function seatOf(store: BillingStore, ctx: RequestContext): StoredSeat {
  const issues = new Issues();
  const id = checkUuid4(ctx.params.seat_id, ['path', 'seat_id'], issues);
  if (!id) throw new ValidationFailure(issues.items);
  const seat = store.seatBook.seats.get(id);
  if (!seat) throw notFound('Seat not found');
  return seat;
}

/**
 * `/v1/customer-seats`: assign, list, revoke, resend, and the token-only claim endpoints (no API token: the
 * invitation link is the credential), as Polar's `customer_seat` endpoints answer them.
 */
export function seatRoutes(store: BillingStore, organizationSlug: string): Route[] {
  const book = store.seatBook;
  const assign = (ctx: RequestContext): void => {
    const request = parseSeatAssign(ctx.body);
    const container = containerOf(store, request.subscription_id, request.order_id);
    sendJson(ctx, 200, book.view(book.assign(container, request)));
  };
  const list = (ctx: RequestContext): void => {
    const issues = new Issues();
    const id = (name: string) => {
      const value = ctx.query.get(name);
      return value === null ? null : (checkUuid4(value, ['query', name], issues) ?? null);
    };
    const subscriptionId = id('subscription_id');
    const orderId = id('order_id');
    throwIfAny(issues);
    const container = containerOf(store, subscriptionId, orderId);
    sendJson(ctx, 200, {
      seats: book.seatsOf(container).map((seat) => book.view(seat)),
      available_seats: book.availableSeats(container),
      total_seats: book.totalSeats(container),
    });
  };
  const revoke = (ctx: RequestContext): void => sendJson(ctx, 200, book.view(book.revoke(seatOf(store, ctx))));
  const resend = (ctx: RequestContext): void => sendJson(ctx, 200, book.view(book.resend(seatOf(store, ctx))));
  const claimInfo = (ctx: RequestContext): void => {
    const seat = book.byToken(ctx.params.invitation_token ?? '');
    if (!seat) throw notFound('Invalid or expired invitation token');
    sendJson(ctx, 200, book.claimInfo(seat, { name: organizationSlug, slug: organizationSlug }));
  };
  const claim = (ctx: RequestContext): void => {
    const body = bodyObject(ctx.body);
    const issues = new Issues();
    const token = required(body, 'invitation_token', ['body'], issues)
      ? checkString(body.invitation_token, ['body', 'invitation_token'], issues)
      : undefined;
    throwIfAny(issues);
    const { seat, customer_session_token } = book.claim(token!);
    sendJson(ctx, 200, { seat: book.view(seat), customer_session_token });
  };
  return [
    { method: 'POST', pattern: '/v1/customer-seats/claim', scopes: null, handle: claim },
    { method: 'GET', pattern: '/v1/customer-seats/claim/:invitation_token', scopes: null, handle: claimInfo },
    { method: 'POST', pattern: '/v1/customer-seats', scopes: SEATS_WRITE, handle: assign },
    { method: 'GET', pattern: '/v1/customer-seats', scopes: SEATS_READ, handle: list },
    { method: 'DELETE', pattern: '/v1/customer-seats/:seat_id', scopes: SEATS_WRITE, handle: revoke },
    { method: 'POST', pattern: '/v1/customer-seats/:seat_id/resend', scopes: SEATS_WRITE, handle: resend },
  ].map(billingRoute);
}
