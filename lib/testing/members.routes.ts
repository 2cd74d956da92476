import { NotFoundFailure, ValidationFailure, sendJson, type RequestContext } from './emulator.http.js';
import type { EmulatorStore } from './emulator.store.js';
import type { PolarEmulatorMember } from './emulator.types.js';
import { Issues, checkEmail, checkOptionalText, checkUuid } from './emulator.validation.js';
import { bodyObject, lookupCustomer, parsePagination } from './customers.routes.js';
import type { Route } from './emulator.router.js';

const READ = ['members:read', 'members:write'];
const WRITE = ['members:write'];
const ROLES = ['owner', 'billing_manager', 'member'] as const;

function memberOf(store: EmulatorStore, ctx: RequestContext): PolarEmulatorMember {
  let memberId: string | undefined;
  if (ctx.params.member_id !== undefined) {
    // `{member_id}` is any UUID (format uuid), unlike the customer's uuid4 `{id}`.
    const issues = new Issues();
    memberId = checkUuid(ctx.params.member_id, ['path', 'member_id'], issues);
    if (!memberId) throw new ValidationFailure(issues.items);
  }
  const customer = lookupCustomer(store, ctx);
  const members = store.membersOf(customer.id);
  const member =
    ctx.params.member_external_id !== undefined
      ? members.find((candidate) => candidate.external_id === ctx.params.member_external_id)
      : members.find((candidate) => candidate.id === memberId);
  if (!member) throw new NotFoundFailure();
  return member;
}

function duplicateEmail(store: EmulatorStore, customerId: string, email: string, self?: string): void {
  const taken = store
    .membersOf(customerId)
    .some((member) => member.id !== self && member.email.toLowerCase() === email.toLowerCase());
  if (taken) {
    throw ValidationFailure.polar('email', 'A member with this email already exists for this customer.', email);
  }
}

function parseRole(
  value: unknown,
  allowed: readonly string[],
  issues: Issues,
): PolarEmulatorMember['role'] | undefined {
  if (typeof value === 'string' && allowed.includes(value)) return value as PolarEmulatorMember['role'];
  const expected = allowed.map((role) => `'${role}'`).join(', ');
  issues.add('enum', ['body', 'role'], `Input should be ${expected}`, value, { expected });
  return undefined;
}

/** Routes of `/v1/customers/{id}/members` (create, get, update, delete; by id and external id). */
export function memberRoutes(store: EmulatorStore): Route[] {
  const create = (ctx: RequestContext): void => {
    const customer = lookupCustomer(store, ctx);
    const body = bodyObject(ctx.body);
    const issues = new Issues();
    let email: string | undefined;
    if (body.email === undefined) issues.add('missing', ['body', 'email'], 'Field required', body);
    else email = checkEmail(body.email, ['body', 'email'], issues);
    const name = body.name === undefined ? null : checkOptionalText(body.name, ['body', 'name'], issues, { max: 256 });
    const externalId =
      body.external_id === undefined
        ? null
        : checkOptionalText(body.external_id, ['body', 'external_id'], issues, { trim: true });
    const role = body.role === undefined ? 'member' : parseRole(body.role, ['member', 'billing_manager'], issues);
    if (!issues.empty || !email) throw new ValidationFailure(issues.items);
    if (!store.memberModel) {
      return sendJson(ctx, 403, {
        error: 'NotPermitted',
        detail: 'Member management is not enabled for this organization',
      });
    }
    // An individual customer has at most one member: its owner.
    if (customer.type !== 'team' && store.membersOf(customer.id).length >= 1) {
      return sendJson(ctx, 403, {
        error: 'NotPermitted',
        detail:
          'Individual customers can only have one member (the owner). Upgrade to a team customer to add more members.',
      });
    }
    // Adding an email that is already a member is idempotent on Polar: the existing member, no webhook.
    const existing = store.membersOf(customer.id).find((member) => member.email.toLowerCase() === email.toLowerCase());
    if (existing) return sendJson(ctx, 201, structuredClone(existing));
    const member = store.addMember(
      customer.id,
      { email, name: name ?? null, external_id: externalId ?? null, role },
      true,
    );
    sendJson(ctx, 201, structuredClone(member));
  };
  const get = (ctx: RequestContext): void => sendJson(ctx, 200, structuredClone(memberOf(store, ctx)));
  const update = (ctx: RequestContext): void => {
    const member = memberOf(store, ctx);
    const body = bodyObject(ctx.body);
    const issues = new Issues();
    const patch: Partial<Pick<PolarEmulatorMember, 'email' | 'name' | 'role'>> = {};
    if (body.email !== undefined && body.email !== null) {
      const email = checkEmail(body.email, ['body', 'email'], issues);
      if (email) patch.email = email;
    }
    if (body.name !== undefined) {
      const name = checkOptionalText(body.name, ['body', 'name'], issues, { max: 256 });
      if (name !== undefined) patch.name = name;
    }
    if (body.role !== undefined && body.role !== null) {
      const role = parseRole(body.role, ROLES, issues);
      if (role) patch.role = role;
    }
    if (!issues.empty) throw new ValidationFailure(issues.items);
    const members = store.membersOf(member.customer_id);
    const owners = members.filter((candidate) => candidate.role === 'owner');
    let transferFrom: PolarEmulatorMember | undefined;
    if (patch.role !== undefined && patch.role !== member.role) {
      // Promoting a member to owner transfers ownership (the old owner becomes billing_manager); a customer always
      // keeps exactly one owner.
      if (patch.role === 'owner' && owners.length >= 1) transferFrom = owners[0];
      if (member.role === 'owner' && owners.length <= 1) {
        throw ValidationFailure.polar('role', 'Cannot change role. Customer must have exactly one owner.', patch.role);
      }
    } else delete patch.role;
    if (patch.email !== undefined) {
      if (patch.email === member.email) delete patch.email;
      else if (store.findById(member.customer_id)?.type !== 'team') {
        throw ValidationFailure.polar(
          'email',
          "Cannot change the email of an individual customer's owner. Update the customer's email instead.",
          patch.email,
        );
      } else duplicateEmail(store, member.customer_id, patch.email, member.id);
    }
    if (transferFrom) store.transferOwnership(transferFrom, member);
    if (Object.keys(patch).length === 0 && !transferFrom) return sendJson(ctx, 200, structuredClone(member));
    sendJson(ctx, 200, structuredClone(store.updateMember(member, patch)));
  };
  const remove = (ctx: RequestContext): void => {
    const member = memberOf(store, ctx);
    const owners = store.membersOf(member.customer_id).filter((candidate) => candidate.role === 'owner');
    if (member.role === 'owner' && owners.length <= 1) {
      throw new ValidationFailure(
        [
          {
            type: 'value_error',
            loc: ['body'],
            msg: 'Cannot delete the only owner. Transfer ownership first.',
            input: member.id,
          },
        ],
        'PolarRequestValidationError',
      );
    }
    store.removeMember(member);
    sendJson(ctx, 204);
  };

  const list = (ctx: RequestContext): void => {
    const issues = new Issues();
    const { page, limit } = parsePagination(ctx.query, issues);
    const sorting = ctx.query.getAll('sorting');
    sorting.forEach((value, index) => {
      if (value !== 'created_at' && value !== '-created_at')
        issues.add('enum', ['query', 'sorting', index], "Input should be 'created_at' or '-created_at'", value, {
          expected: "'created_at' or '-created_at'",
        });
    });
    const role = ctx.query.get('role');
    if (role !== null && !(ROLES as readonly string[]).includes(role)) {
      issues.add('enum', ['query', 'role'], "Input should be 'owner', 'billing_manager' or 'member'", role, {
        expected: "'owner', 'billing_manager' or 'member'",
      });
    }
    if (!issues.empty) throw new ValidationFailure(issues.items);
    let members = store.allMembers();
    const customerId = ctx.query.get('customer_id');
    if (customerId !== null) {
      // Polar parses it itself and answers a bad one with 404.
      const uuid = checkUuid(customerId, ['query', 'customer_id'], new Issues());
      if (!uuid) throw new NotFoundFailure();
      members = members.filter((member) => member.customer_id === uuid);
    }
    const externalCustomerId = ctx.query.get('external_customer_id');
    if (externalCustomerId !== null) {
      const customer = store.findByExternalId(externalCustomerId);
      members = members.filter((member) => member.customer_id === customer?.id);
    }
    if (role !== null) members = members.filter((member) => member.role === role);
    const ascending = sorting.length > 0 && sorting[0] === 'created_at';
    const ordered = members
      .map((member, index) => ({ member, index }))
      .sort(
        (a, b) => (a.member.created_at.localeCompare(b.member.created_at) || a.index - b.index) * (ascending ? 1 : -1),
      )
      .map(({ member }) => member);
    const start = (page - 1) * limit;
    sendJson(ctx, 200, {
      items: structuredClone(ordered.slice(start, start + limit)),
      pagination: { total_count: ordered.length, max_page: Math.ceil(ordered.length / limit) },
    });
  };

  const routes: Route[] = [{ method: 'GET', pattern: '/v1/members/', scopes: READ, handle: list }];
  for (const [collection, item] of [
    ['/v1/customers/external/:external_id/members', '/v1/customers/external/:external_id/members/:member_external_id'],
    ['/v1/customers/:id/members', '/v1/customers/:id/members/:member_id'],
  ]) {
    routes.push(
      { method: 'POST', pattern: collection, scopes: WRITE, handle: create },
      { method: 'GET', pattern: item, scopes: READ, handle: get },
      { method: 'PATCH', pattern: item, scopes: WRITE, handle: update },
      { method: 'DELETE', pattern: item, scopes: WRITE, handle: remove },
    );
  }
  return routes;
}
