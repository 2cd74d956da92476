import { PolarClientError } from '@polar-sh/sdk';
import { errors } from '@polar-sh/sdk/2026-10';
import { api, rejectionOf, startEmulator, type EmulatorFixture } from './helpers.js';

describe('emulator: members of team customers (member model on)', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator({ memberModel: true });
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  it('creates, gets, updates and deletes members by id and by external ids', async () => {
    const team = await f.sdk.customers.create({
      type: 'team',
      name: 'Acme',
      external_id: 'acme',
      owner: { email: 'owner@mailinator.com' },
    });
    const member = await f.sdk.customers.members.create(team.id, {
      email: 'dev@mailinator.com',
      name: 'Dev',
      external_id: 'dev-1',
    });
    expect(member).toMatchObject({
      customer_id: team.id,
      email: 'dev@mailinator.com',
      name: 'Dev',
      external_id: 'dev-1',
      role: 'member',
      modified_at: null,
    });
    expect(await f.sdk.customers.members.get(team.id, member.id)).toEqual(member);
    expect(await f.sdk.customers.members.getExternal('acme', 'dev-1')).toEqual(member);
    const promoted = await f.sdk.customers.members.update(team.id, member.id, { role: 'billing_manager' });
    expect(promoted.role).toBe('billing_manager');
    const renamed = await f.sdk.customers.members.updateExternal('acme', 'dev-1', { name: 'Developer' });
    expect(renamed.name).toBe('Developer');
    const session = await f.sdk.customerSessions.create({ customer_id: team.id, member_id: member.id });
    await f.sdk.customers.members.deleteExternal('acme', 'dev-1');
    expect(await rejectionOf(f.sdk.customers.members.get(team.id, member.id))).toBeInstanceOf(errors.ResourceNotFound);
    expect((await fetch(session.customer_portal_url)).status).toBe(401);
  });

  it('rejects a bad role with 422', async () => {
    const team = await f.sdk.customers.create({ type: 'team', email: 'team@mailinator.com' });
    const role = await rejectionOf(
      f.sdk.customers.members.create(team.id, { email: 'y@mailinator.com', role: 'owner' as never }),
    );
    expect((role.error as { detail: { loc: string[] }[] }).detail[0].loc).toEqual(['body', 'role']);
  });

  it('refuses members for individual customers with 403 NotPermitted', async () => {
    const solo = await f.sdk.customers.create({ email: 'solo@mailinator.com' });
    const error = await rejectionOf(f.sdk.customers.members.create(solo.id, { email: 'friend@mailinator.com' }));
    expect(error).toBeInstanceOf(PolarClientError);
    expect(error.statusCode).toBe(403);
  });

  it('answers unknown customers and members with 404, a malformed member id with 422', async () => {
    const team = await f.sdk.customers.create({ type: 'team', email: 'team2@mailinator.com' });
    expect(await rejectionOf(f.sdk.customers.members.getExternal('nobody', 'x'))).toBeInstanceOf(
      errors.ResourceNotFound,
    );
    expect(
      await rejectionOf(f.sdk.customers.members.get(team.id, '1dbfc517-0bbf-4301-9ba8-555ca42b9737')),
    ).toBeInstanceOf(errors.ResourceNotFound);
    const response = await api(f.polar, `/v1/customers/${team.id}/members/not-a-uuid`);
    expect(response.status).toBe(422);
    expect((await response.json()).detail[0].loc).toEqual(['path', 'member_id']);
  });

  it('finds a member by an id written upper-case or without dashes, as Polar parses any UUID form', async () => {
    const team = await f.sdk.customers.create({ type: 'team', email: 'team4@mailinator.com' });
    const member = await f.sdk.customers.members.create(team.id, { email: 'forms@mailinator.com' });
    for (const form of [member.id.toUpperCase(), member.id.replace(/-/g, '')]) {
      const response = await api(f.polar, `/v1/customers/${team.id}/members/${form}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(member);
    }
  });

  it('needs the members scopes', async () => {
    f.polar.addToken('polar_oat_customers_only', ['customers:read', 'customers:write']);
    const team = await f.sdk.customers.create({ type: 'team', email: 'team3@mailinator.com' });
    const response = await api(f.polar, `/v1/customers/${team.id}/members`, {
      method: 'POST',
      headers: { authorization: 'Bearer polar_oat_customers_only' },
      body: JSON.stringify({ email: 'a@mailinator.com' }),
    });
    expect(response.status).toBe(403);
    expect((await response.json()).error).toBe('insufficient_scope');
  });
});

describe('emulator: members without the member model', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator();
  });
  afterAll(() => f.polar.stop());

  it('refuses to add members with 403 NotPermitted', async () => {
    const team = await f.sdk.customers.create({ type: 'team', email: 'team@mailinator.com' });
    const response = await api(f.polar, `/v1/customers/${team.id}/members`, {
      method: 'POST',
      body: JSON.stringify({ email: 'a@mailinator.com' }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'NotPermitted',
      detail: 'Member management is not enabled for this organization',
    });
  });
});
