import { ValidationFailure, sendJson } from './emulator.http.js';
import type { EmulatorStore, StoredSession } from './emulator.store.js';
import type { PolarEmulatorCustomer, PolarEmulatorMember } from './emulator.types.js';
import { Issues, checkHttpUrl, checkString, checkUuid4 } from './emulator.validation.js';
import { bodyObject } from './customers.routes.js';
import type { Route } from './emulator.router.js';

const BY_ID = 'CustomerSessionCustomerIDCreate';
const BY_EXTERNAL_ID = 'CustomerSessionCustomerExternalIDCreate';

interface SessionRequest {
  customerId?: string;
  externalCustomerId?: string;
  memberId: string | null;
  externalMemberId: string | null;
  returnUrl: string | null;
}

function parse(raw: unknown): SessionRequest {
  const body = bodyObject(raw);
  const issues = new Issues();
  const request: SessionRequest = { memberId: null, externalMemberId: null, returnUrl: null };
  if (body.customer_id !== undefined) {
    request.customerId = checkUuid4(body.customer_id, ['body', BY_ID, 'customer_id'], issues);
  } else if (body.external_customer_id !== undefined) {
    request.externalCustomerId = checkString(
      body.external_customer_id,
      ['body', BY_EXTERNAL_ID, 'external_customer_id'],
      issues,
    );
  } else {
    // The body is a union of two forms; pydantic reports what each one misses.
    issues.add('missing', ['body', BY_ID, 'customer_id'], 'Field required', body);
    issues.add('missing', ['body', BY_EXTERNAL_ID, 'external_customer_id'], 'Field required', body);
  }
  const form = body.customer_id !== undefined ? BY_ID : BY_EXTERNAL_ID;
  if (body.member_id !== undefined && body.member_id !== null) {
    request.memberId = checkUuid4(body.member_id, ['body', form, 'member_id'], issues) ?? null;
  }
  if (body.external_member_id !== undefined && body.external_member_id !== null) {
    request.externalMemberId =
      checkString(body.external_member_id, ['body', form, 'external_member_id'], issues) ?? null;
  }
  if (body.return_url !== undefined && body.return_url !== null) {
    request.returnUrl = checkHttpUrl(body.return_url, ['body', form, 'return_url'], issues) ?? null;
  }
  if (!issues.empty) throw new ValidationFailure(issues.items);
  return request;
}

/** Picks the member a member session is for: member_id, then external_member_id, then the owner. */
function chooseMember(
  store: EmulatorStore,
  customer: PolarEmulatorCustomer,
  request: SessionRequest,
): PolarEmulatorMember {
  const members = store.membersOf(customer.id);
  if (request.memberId !== null) {
    const member = members.find((candidate) => candidate.id === request.memberId);
    if (!member)
      throw ValidationFailure.polar('member_id', 'Member does not exist for this customer.', request.memberId);
    return member;
  }
  if (request.externalMemberId !== null) {
    const member = members.find((candidate) => candidate.external_id === request.externalMemberId);
    if (!member)
      throw ValidationFailure.polar(
        'external_member_id',
        'Member does not exist for this customer.',
        request.externalMemberId,
      );
    return member;
  }
  if (customer.type === 'team')
    throw ValidationFailure.polar('member_id', 'member_id is required for team customers.', null);
  const owner = members.find((candidate) => candidate.role === 'owner');
  if (!owner) throw ValidationFailure.polar('member_id', 'Member does not exist for this customer.', null);
  return owner;
}

/** The portal URL Polar builds, pointing at the emulator's own portal page. */
export function portalUrl(baseUrl: string, slug: string, session: StoredSession, email: string | null): string {
  const token = encodeURIComponent(session.token);
  return `${baseUrl}/${encodeURIComponent(slug)}/portal?customer_session_token=${token}&email=${encodeURIComponent(email ?? '')}`;
}

/** Route of `POST /v1/customer-sessions/`. */
export function sessionRoutes(store: EmulatorStore, baseUrl: () => string, slug: string): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1/customer-sessions/',
      scopes: ['customer_sessions:write'],
      handle: (ctx) => {
        const request = parse(ctx.body);
        const customer =
          request.customerId !== undefined
            ? store.findById(request.customerId)
            : store.findByExternalId(request.externalCustomerId!);
        if (!customer) {
          const field = request.customerId !== undefined ? 'customer_id' : 'external_customer_id';
          throw ValidationFailure.polar(
            field,
            'Customer does not exist.',
            request.customerId ?? request.externalCustomerId,
          );
        }
        // Without the member model Polar ignores the member fields.
        const member = store.memberModel ? chooseMember(store, customer, request) : null;
        const session = store.createSession(customer, member, request.returnUrl);
        sendJson(ctx, 201, {
          id: session.id,
          created_at: session.createdAt.toISOString(),
          modified_at: null,
          token: session.token,
          expires_at: session.expiresAt.toISOString(),
          return_url: session.returnUrl,
          customer_portal_url: portalUrl(baseUrl(), slug, session, member?.email ?? customer.email),
          customer_id: customer.id,
          customer: structuredClone(customer),
        });
      },
    },
  ];
}
