import { NotFoundFailure, ValidationFailure, sendJson, type RequestContext } from './emulator.http.js';
import type { EmulatorStore } from './emulator.store.js';
import type { PolarEmulatorMember } from './emulator.types.js';
import { Issues, checkEmail, checkOptionalText, checkUuid } from './emulator.validation.js';
import { bodyObject, lookupCustomer } from './customers.routes.js';
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
    // Only team customers of organizations with member management can add members.
    if (!store.memberModel || customer.type !== 'team') {
      return sendJson(ctx, 403, { error: 'NotPermitted', detail: 'Not permitted to add members.' });
    }
    duplicateEmail(store, customer.id, email);
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
    if (patch.email) duplicateEmail(store, member.customer_id, patch.email, member.id);
    sendJson(ctx, 200, structuredClone(store.updateMember(member, patch)));
  };
  const remove = (ctx: RequestContext): void => {
    store.removeMember(memberOf(store, ctx));
    sendJson(ctx, 204);
  };

  const routes: Route[] = [];
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
