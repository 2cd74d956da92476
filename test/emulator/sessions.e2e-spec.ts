import { detailOf, manualClock, startEmulator, type EmulatorFixture } from './helpers.js';

describe('emulator: customer sessions', () => {
  const time = manualClock('2026-10-01T12:00:00.000Z');
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator({ clock: time.clock, organizationSlug: 'acme-inc' });
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  it('creates a session by customer_id with the real token, expiry and portal-URL formats', async () => {
    const customer = f.polar.seedCustomer({ email: 'ada+billing@mailinator.com' });
    const session = await f.sdk.customerSessions.create({ customer_id: customer.id });
    expect(Object.keys(session).sort()).toEqual(
      [
        'id',
        'created_at',
        'modified_at',
        'token',
        'expires_at',
        'return_url',
        'customer_portal_url',
        'customer_id',
        'customer',
      ].sort(),
    );
    expect(session.token).toMatch(/^polar_cst_[A-Za-z0-9]{43}$/);
    expect(session.created_at).toBe('2026-10-01T12:00:00.000Z');
    expect(session.expires_at).toBe('2026-10-01T13:00:00.000Z');
    expect(session.modified_at).toBeNull();
    expect(session.return_url).toBeNull();
    expect(session.customer_id).toBe(customer.id);
    expect(session.customer).toEqual(customer);
    expect(session.customer_portal_url).toBe(
      `${f.polar.url}/acme-inc/portal?customer_session_token=${session.token}&email=ada%2Bbilling%40mailinator.com`,
    );
  });

  it('creates a session by external_customer_id with a return_url', async () => {
    const customer = f.polar.seedCustomer({ email: 'u@mailinator.com', external_id: 'user-7' });
    const session = await f.sdk.customerSessions.create({
      external_customer_id: 'user-7',
      return_url: 'https://app.example.com/account?tab=billing',
    });
    expect(session.customer_id).toBe(customer.id);
    expect(session.return_url).toBe('https://app.example.com/account?tab=billing');
  });

  it('issues a different token each time', async () => {
    const customer = f.polar.seedCustomer({});
    const a = await f.sdk.customerSessions.create({ customer_id: customer.id });
    const b = await f.sdk.customerSessions.create({ customer_id: customer.id });
    expect(a.token).not.toBe(b.token);
  });

  it('answers an unknown or deleted customer with 422 "Customer does not exist." (not 404)', async () => {
    const unknownId = '1dbfc517-0bbf-4301-9ba8-555ca42b9737';
    const byId = await detailOf(f.sdk.customerSessions.create({ customer_id: unknownId }));
    expect(byId).toEqual({
      error: 'PolarRequestValidationError',
      detail: [
        { type: 'value_error', loc: ['body', 'customer_id'], msg: 'Customer does not exist.', input: unknownId },
      ],
    });
    const byExternal = await detailOf(f.sdk.customerSessions.create({ external_customer_id: 'nobody' }));
    expect(byExternal.detail[0]).toMatchObject({
      loc: ['body', 'external_customer_id'],
      msg: 'Customer does not exist.',
      input: 'nobody',
    });
    const deleted = f.polar.seedCustomer({ external_id: 'gone' });
    await f.sdk.customers.delete(deleted.id);
    const afterDelete = await detailOf(f.sdk.customerSessions.create({ customer_id: deleted.id }));
    expect(afterDelete.detail[0].msg).toBe('Customer does not exist.');
  });

  it('answers a body with neither id with two missing items, one per body form', async () => {
    const body = await detailOf(f.sdk.customerSessions.create({} as never));
    expect(body.detail).toHaveLength(2);
    expect(body.detail.map((item) => item.type)).toEqual(['missing', 'missing']);
    expect(body.detail.map((item) => item.loc.at(-1))).toEqual(['customer_id', 'external_customer_id']);
  });

  it('rejects a non-http return_url and a malformed customer_id', async () => {
    const customer = f.polar.seedCustomer({});
    const scheme = await detailOf(
      f.sdk.customerSessions.create({ customer_id: customer.id, return_url: 'javascript:alert(1)' }),
    );
    expect(scheme.detail[0]).toMatchObject({ type: 'url_scheme' });
    expect(scheme.detail[0].loc.at(-1)).toBe('return_url');
    const badId = await detailOf(f.sdk.customerSessions.create({ customer_id: 'nope' }));
    expect(badId.detail[0].loc.at(-1)).toBe('customer_id');
  });

  it('ignores member fields when the member model is off', async () => {
    const team = f.polar.seedCustomer({ type: 'team', email: null, owner: { email: 'owner@mailinator.com' } });
    const session = await f.sdk.customerSessions.create({
      customer_id: team.id,
      member_id: '1dbfc517-0bbf-4301-9ba8-555ca42b9737',
    });
    expect(session.token).toMatch(/^polar_cst_/);
  });

  it('session expiry follows the emulator clock', async () => {
    const customer = f.polar.seedCustomer({});
    const session = await f.sdk.customerSessions.create({ customer_id: customer.id });
    time.advance(30 * 60 * 1000);
    expect((await fetch(session.customer_portal_url)).status).toBe(200);
    time.advance(31 * 60 * 1000);
    expect((await fetch(session.customer_portal_url)).status).toBe(401);
  });
});

describe('emulator: member sessions (member model on)', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator({ memberModel: true });
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  it('gives an individual customer a member session for its owner member', async () => {
    const created = await f.sdk.customers.create({ email: 'solo@mailinator.com' });
    const session = await f.sdk.customerSessions.create({ customer_id: created.id });
    expect(session.token).toMatch(/^polar_mst_[A-Za-z0-9]{43}$/);
    expect(session.customer_portal_url).toContain('email=solo%40mailinator.com');
  });

  it('chooses the member by member_id, then external_member_id', async () => {
    const team = await f.sdk.customers.create({
      type: 'team',
      name: 'Acme',
      owner: { email: 'owner@mailinator.com' },
      external_id: 'acme',
    });
    const alice = f.polar.seedMember(team.id, { email: 'alice@mailinator.com', external_id: 'alice' });
    const bob = f.polar.seedMember(team.id, { email: 'bob@mailinator.com', role: 'billing_manager' });
    expect(bob.role).toBe('billing_manager');
    const byId = await f.sdk.customerSessions.create({
      external_customer_id: 'acme',
      member_id: alice.id,
      external_member_id: 'ignored',
    });
    expect(byId.customer_portal_url).toContain('email=alice%40mailinator.com');
    const byExternal = await f.sdk.customerSessions.create({ customer_id: team.id, external_member_id: 'alice' });
    expect(byExternal.customer_portal_url).toContain('email=alice%40mailinator.com');
    const page = await fetch(byExternal.customer_portal_url);
    expect(await page.text()).toContain('alice@mailinator.com');
  });

  it('requires member_id for team customers and rejects unknown members', async () => {
    const team = await f.sdk.customers.create({ type: 'team', email: 'team@mailinator.com' });
    const missing = await detailOf(f.sdk.customerSessions.create({ customer_id: team.id }));
    expect(missing.detail[0]).toMatchObject({
      loc: ['body', 'member_id'],
      msg: 'member_id is required for team customers.',
    });
    const unknown = await detailOf(
      f.sdk.customerSessions.create({ customer_id: team.id, member_id: '1dbfc517-0bbf-4301-9ba8-555ca42b9737' }),
    );
    expect(unknown.detail[0]).toMatchObject({
      loc: ['body', 'member_id'],
      msg: 'Member does not exist for this customer.',
    });
    const unknownExternal = await detailOf(
      f.sdk.customerSessions.create({ customer_id: team.id, external_member_id: 'ghost' }),
    );
    expect(unknownExternal.detail[0]).toMatchObject({
      loc: ['body', 'external_member_id'],
      msg: 'Member does not exist for this customer.',
    });
  });

  it('makes the owner given at team creation the owner member', async () => {
    const team = await f.sdk.customers.create({
      type: 'team',
      name: 'Owned',
      owner: { email: 'boss@mailinator.com', external_id: 'boss' },
    });
    const session = await f.sdk.customerSessions.create({ customer_id: team.id, external_member_id: 'boss' });
    expect(session.token).toMatch(/^polar_mst_/);
    expect(session.customer_portal_url).toContain('email=boss%40mailinator.com');
  });

  it('seedMember refuses an unknown customer', () => {
    expect(() => f.polar.seedMember('1dbfc517-0bbf-4301-9ba8-555ca42b9737', {})).toThrow(/no customer/);
  });
});
