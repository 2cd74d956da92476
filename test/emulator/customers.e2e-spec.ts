import { errors } from '@polar-sh/sdk/2026-10';
import { api, detailOf, rejectionOf, startEmulator, type EmulatorFixture } from './helpers.js';

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('emulator: customers', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator();
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  describe('create', () => {
    it('answers 201 with every Customer field', async () => {
      const response = await api(f.polar, '/v1/customers/', {
        method: 'POST',
        body: JSON.stringify({
          email: 'ada@mailinator.com',
          external_id: '  user-1 ',
          name: 'Ada',
          metadata: { plan: 'pro', seats: 3, trial: false },
        }),
      });
      expect(response.status).toBe(201);
      const customer = await response.json();
      expect(Object.keys(customer).sort()).toEqual(
        [
          'id',
          'created_at',
          'modified_at',
          'metadata',
          'external_id',
          'email',
          'email_verified',
          'type',
          'name',
          'billing_name',
          'billing_address',
          'tax_id',
          'locale',
          'organization_id',
          'default_payment_method_id',
          'deleted_at',
          'first_user_event_at',
          'avatar_url',
        ].sort(),
      );
      expect(customer).toMatchObject({
        modified_at: null,
        external_id: 'user-1',
        email: 'ada@mailinator.com',
        email_verified: false,
        type: 'individual',
        name: 'Ada',
        metadata: { plan: 'pro', seats: 3, trial: false },
        organization_id: f.polar.organizationId,
        deleted_at: null,
      });
      expect(customer.id).toMatch(UUID4);
      expect(customer.created_at).toMatch(ISO_Z);
    });

    it('turns empty external_id and name into null and keeps a billing address with its tax ID', async () => {
      const customer = await f.sdk.customers.create({
        email: 'eu@mailinator.com',
        external_id: '',
        name: '',
        billing_address: { country: 'FR', city: 'Paris' },
        tax_id: 'FR61954506077',
      });
      expect(customer.external_id).toBeNull();
      expect(customer.name).toBeNull();
      expect(customer.billing_address).toEqual({
        line1: null,
        line2: null,
        postal_code: null,
        city: 'Paris',
        state: null,
        country: 'FR',
      });
      expect(customer.tax_id).toEqual(['FR61954506077', 'eu_vat']);
    });

    it('creates a team customer from an owner alone', async () => {
      const team = await f.sdk.customers.create({
        type: 'team',
        name: 'Acme',
        owner: { email: 'boss@mailinator.com' },
      });
      expect(team.type).toBe('team');
      expect(team.email).toBeNull();
    });

    it.each([
      ['an individual without email', { name: 'x' }, ['body', 'email'], 'missing'],
      ['a malformed email', { email: 'not-an-email' }, ['body', 'email'], 'value_error'],
      [
        'a name over 256 chars',
        { email: 'a@mailinator.com', name: 'n'.repeat(257) },
        ['body', 'name'],
        'string_too_long',
      ],
      ['a NUL character', { email: 'a@mailinator.com', name: 'a\u0000b' }, ['body', 'name'], 'value_error'],
      ['an unknown type', { email: 'a@mailinator.com', type: 'company' }, ['body', 'type'], 'literal_error'],
      [
        'a billing address without country',
        { email: 'a@mailinator.com', billing_address: { city: 'Paris' } },
        ['body', 'billing_address', 'country'],
        'missing',
      ],
      [
        'a bad country code',
        { email: 'a@mailinator.com', billing_address: { country: 'XX' } },
        ['body', 'billing_address', 'country'],
        'enum',
      ],
      [
        'a metadata key over 40 chars',
        { email: 'a@mailinator.com', metadata: { ['k'.repeat(41)]: 'v' } },
        ['body', 'metadata', 'k'.repeat(41), '[key]'],
        'string_too_long',
      ],
      [
        'an empty metadata string',
        { email: 'a@mailinator.com', metadata: { plan: '' } },
        ['body', 'metadata', 'plan', 'str'],
        'string_too_short',
      ],
      [
        'a null metadata value',
        { email: 'a@mailinator.com', metadata: { plan: null } },
        ['body', 'metadata', 'plan', 'str'],
        'string_type',
      ],
      [
        'a nested metadata value',
        { email: 'a@mailinator.com', metadata: { plan: { a: 1 } } },
        ['body', 'metadata', 'plan', 'int'],
        'int_type',
      ],
      ['a team without email or owner', { type: 'team', name: 'Acme' }, ['body', 'owner'], 'missing'],
    ])('rejects %s with 422 naming the field', async (_case, body, loc, type) => {
      const { detail } = await detailOf(f.sdk.customers.create(body as never));
      expect(detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc, type, msg: expect.any(String) })]));
      for (const item of detail)
        expect(Object.keys(item)).toEqual(expect.arrayContaining(['type', 'loc', 'msg', 'input']));
      expect(f.polar.customers).toHaveLength(0);
    });

    it('rejects a NUL character anywhere with "This value contains invalid characters"', async () => {
      for (const body of [
        { email: 'a@mailinator.com', external_id: 'x\u0000' },
        { email: 'a@mailinator.com', metadata: { plan: 'p\u0000' } },
      ]) {
        const { detail } = await detailOf(f.sdk.customers.create(body));
        expect(detail[0].msg).toBe('This value contains invalid characters');
      }
    });

    it('rejects more than 50 metadata keys', async () => {
      const metadata = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
      const { detail } = await detailOf(f.sdk.customers.create({ email: 'a@mailinator.com', metadata }));
      expect(detail[0]).toMatchObject({ type: 'too_long', loc: ['body', 'metadata'] });
    });

    it('rejects a tax ID without a billing address', async () => {
      const body = await detailOf(f.sdk.customers.create({ email: 'a@mailinator.com', tax_id: 'FR61954506077' }));
      expect(body.detail[0]).toMatchObject({
        type: 'missing',
        loc: ['body', 'billing_address'],
        msg: 'Country is required to validate tax ID.',
        input: null,
      });
    });

    it('rejects organization_id with an organization token', async () => {
      const body = await detailOf(
        f.sdk.customers.create({ email: 'a@mailinator.com', organization_id: '1dbfc517-0bbf-4301-9ba8-555ca42b9737' }),
      );
      expect(body.detail[0]).toMatchObject({ type: 'organization_token', loc: ['body', 'organization_id'] });
    });

    it('answers a malformed JSON body with 422 json_invalid', async () => {
      const response = await api(f.polar, '/v1/customers/', { method: 'POST', body: '{"email":' });
      expect(response.status).toBe(422);
      const body = await response.json();
      expect(body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 0] });
    });

    it('reports duplicates as 422 (never 409): email case-insensitively, external id, or both', async () => {
      await f.sdk.customers.create({ email: 'dup@mailinator.com', external_id: 'ext-1' });
      const email = await detailOf(f.sdk.customers.create({ email: 'DUP@mailinator.com' }));
      expect(email.error).toBe('PolarRequestValidationError');
      expect(email.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'email'],
          msg: 'A customer with this email address already exists.',
          input: 'DUP@mailinator.com',
        },
      ]);
      const external = await detailOf(f.sdk.customers.create({ email: 'other@mailinator.com', external_id: 'ext-1' }));
      expect(external.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'external_id'],
          msg: 'A customer with this external ID already exists.',
          input: 'ext-1',
        },
      ]);
      const both = await detailOf(f.sdk.customers.create({ email: 'dup@mailinator.com', external_id: 'ext-1' }));
      expect(both.detail.map((item) => item.loc)).toEqual([
        ['body', 'email'],
        ['body', 'external_id'],
      ]);
    });
  });

  it('two concurrent creates with one external id: exactly one 201, the other 422', async () => {
    const results = await Promise.allSettled([
      f.sdk.customers.create({ email: 'race1@mailinator.com', external_id: 'race' }),
      f.sdk.customers.create({ email: 'race2@mailinator.com', external_id: 'race' }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(errors.HTTPValidationError);
    expect(f.polar.customers).toHaveLength(1);
  });

  describe('get, update, delete', () => {
    it('gets by id and by external id; unknown ones are 404 ResourceNotFound', async () => {
      const created = await f.sdk.customers.create({ email: 'g@mailinator.com', external_id: 'g-1' });
      expect(await f.sdk.customers.get(created.id)).toEqual(created);
      expect(await f.sdk.customers.getExternal('g-1')).toEqual(created);
      for (const call of [
        f.sdk.customers.get('1dbfc517-0bbf-4301-9ba8-555ca42b9737'),
        f.sdk.customers.getExternal('nobody'),
      ]) {
        const error = await rejectionOf(call);
        expect(error).toBeInstanceOf(errors.ResourceNotFound);
        expect(error.error).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
      }
    });

    it('answers a non-uuid4 id with 422 at ["path","id"]', async () => {
      for (const id of ['not-a-uuid', '1dbfc517-0bbf-1301-9ba8-555ca42b9737']) {
        const { detail } = await detailOf(f.sdk.customers.get(id));
        expect(detail[0].loc).toEqual(['path', 'id']);
      }
    });

    it('finds an external id with characters that need encoding (all but "/", which Polar decodes before routing)', async () => {
      await f.sdk.customers.create({ email: 'enc@mailinator.com', external_id: 'tenant:42 ü?#%' });
      expect((await f.sdk.customers.getExternal('tenant:42 ü?#%')).email).toBe('enc@mailinator.com');
    });

    it('updates by id and by external id; a new email resets email_verified', async () => {
      const seeded = f.polar.seedCustomer({ email: 'old@mailinator.com', external_id: 'u-1', email_verified: true });
      const updated = await f.sdk.customers.update(seeded.id, {
        email: 'new@mailinator.com',
        name: 'New',
        metadata: { tier: 2 },
      });
      expect(updated).toMatchObject({
        email: 'new@mailinator.com',
        name: 'New',
        metadata: { tier: 2 },
        email_verified: false,
      });
      expect(updated.modified_at).toMatch(ISO_Z);
      const again = await f.sdk.customers.updateExternal('u-1', { locale: 'fr' });
      expect(again.locale).toBe('fr');
      expect(f.polar.customers[0]).toMatchObject({ email: 'new@mailinator.com', locale: 'fr' });
    });

    it('sets an external id once; changing it later is 422', async () => {
      const created = await f.sdk.customers.create({ email: 'x@mailinator.com' });
      expect((await f.sdk.customers.update(created.id, { external_id: 'first' })).external_id).toBe('first');
      const { detail } = await detailOf(f.sdk.customers.update(created.id, { external_id: 'second' }));
      expect(detail[0]).toMatchObject({ loc: ['body', 'external_id'], msg: 'Customer external ID cannot be updated.' });
    });

    it('rejects a duplicate email and clearing the billing address on update', async () => {
      await f.sdk.customers.create({ email: 'taken@mailinator.com' });
      const other = await f.sdk.customers.create({ email: 'mine@mailinator.com', billing_address: { country: 'US' } });
      const dup = await detailOf(f.sdk.customers.update(other.id, { email: 'Taken@mailinator.com' }));
      expect(dup.detail[0].loc).toEqual(['body', 'email']);
      const cleared = await detailOf(f.sdk.customers.update(other.id, { billing_address: null }));
      expect(cleared.detail[0].loc).toEqual(['body', 'billing_address']);
    });

    it('update of an unknown customer is 404', async () => {
      const error = await rejectionOf(f.sdk.customers.updateExternal('ghost', { name: 'x' }));
      expect(error).toBeInstanceOf(errors.ResourceNotFound);
    });

    it('soft-deletes (204, empty): gone from reads, external id freed and kept in metadata', async () => {
      const first = await f.sdk.customers.create({ email: 'del@mailinator.com', external_id: 'reuse-me' });
      const response = await api(f.polar, `/v1/customers/${first.id}`, { method: 'DELETE' });
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      expect(await rejectionOf(f.sdk.customers.get(first.id))).toBeInstanceOf(errors.ResourceNotFound);
      const stored = f.polar.customers.find((customer) => customer.id === first.id)!;
      expect(stored).toMatchObject({ external_id: null, metadata: { __external_id: 'reuse-me' } });
      expect(stored.deleted_at).toMatch(ISO_Z);
      const second = await f.sdk.customers.create({ email: 'del@mailinator.com', external_id: 'reuse-me' });
      expect(second.id).not.toBe(first.id);
      await f.sdk.customers.deleteExternal('reuse-me', { anonymize: true });
      expect(f.polar.customers.find((customer) => customer.id === second.id)!.email).not.toBe('del@mailinator.com');
      expect(await rejectionOf(f.sdk.customers.deleteExternal('reuse-me'))).toBeInstanceOf(errors.ResourceNotFound);
    });

    it('returns the state by id and external id with empty arrays for a new customer', async () => {
      const created = await f.sdk.customers.create({ email: 's@mailinator.com', external_id: 's-1' });
      for (const state of [await f.sdk.customers.getState(created.id), await f.sdk.customers.getStateExternal('s-1')]) {
        expect(state).toEqual({ ...created, active_subscriptions: [], granted_benefits: [], active_meters: [] });
      }
      expect(await rejectionOf(f.sdk.customers.getStateExternal('nobody'))).toBeInstanceOf(errors.ResourceNotFound);
    });
  });

  describe('list', () => {
    it('paginates with total_count and max_page, newest first by default', async () => {
      for (let i = 0; i < 12; i++)
        f.polar.seedCustomer({
          email: `p${i}@mailinator.com`,
          created_at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
        });
      const first = await f.sdk.customers.list({ limit: 5 });
      expect(first.pagination).toEqual({ total_count: 12, max_page: 3 });
      expect(first.items.map((c) => c.email)).toEqual([
        'p11@mailinator.com',
        'p10@mailinator.com',
        'p9@mailinator.com',
        'p8@mailinator.com',
        'p7@mailinator.com',
      ]);
      const last = await f.sdk.customers.list({ limit: 5, page: 3 });
      expect(last.items.map((c) => c.email)).toEqual(['p1@mailinator.com', 'p0@mailinator.com']);
      const all: string[] = [];
      for await (const customer of f.sdk.customers.iterList({ limit: 5 })) all.push(customer.email!);
      expect(all).toHaveLength(12);
    });

    it('caps limit at 100 silently', async () => {
      for (let i = 0; i < 101; i++) f.polar.seedCustomer({ email: `c${i}@mailinator.com` });
      const page = await f.sdk.customers.list({ limit: 500 });
      expect(page.items).toHaveLength(100);
      expect(page.pagination).toEqual({ total_count: 101, max_page: 2 });
    });

    it('an empty organization lists nothing with max_page 0', async () => {
      expect(await f.sdk.customers.list()).toEqual({ items: [], pagination: { total_count: 0, max_page: 0 } });
    });

    it('sorts by the sorting array the SDK sends', async () => {
      f.polar.seedCustomer({ email: 'b@mailinator.com', name: 'Zed' });
      f.polar.seedCustomer({ email: 'a@mailinator.com', name: 'Amy' });
      f.polar.seedCustomer({ email: 'c@mailinator.com', name: 'Amy' });
      expect((await f.sdk.customers.list({ sorting: ['email'] })).items.map((c) => c.email)).toEqual([
        'a@mailinator.com',
        'b@mailinator.com',
        'c@mailinator.com',
      ]);
      expect((await f.sdk.customers.list({ sorting: ['name', '-email'] })).items.map((c) => c.email)).toEqual([
        'c@mailinator.com',
        'a@mailinator.com',
        'b@mailinator.com',
      ]);
      const { detail } = await detailOf(f.sdk.customers.list({ sorting: ['wrong' as never] }));
      expect(detail[0].loc).toEqual(['query', 'sorting', 0]);
    });

    it('filters by email (exact, case-insensitive), query and metadata', async () => {
      f.polar.seedCustomer({
        email: 'Alice@Mailinator.com',
        name: 'Alice Liddell',
        metadata: { plan: 'pro', seats: 5 },
      });
      f.polar.seedCustomer({
        email: 'bob@mailinator.com',
        name: 'Bob',
        external_id: 'bob-ext',
        metadata: { plan: 'free' },
      });
      f.polar.seedCustomer({ email: 'alice.b@mailinator.com', metadata: { plan: 'team', beta: true } });
      const emails = async (query: Parameters<typeof f.sdk.customers.list>[0]) =>
        (await f.sdk.customers.list(query)).items.map((c) => c.email).sort();
      expect(await emails({ email: 'alice@mailinator.com' })).toEqual(['Alice@Mailinator.com']);
      expect(await emails({ query: 'alice' })).toEqual(['Alice@Mailinator.com', 'alice.b@mailinator.com']);
      expect(await emails({ query: 'bob-ext' })).toEqual(['bob@mailinator.com']);
      expect(await emails({ metadata: { plan: 'pro' } })).toEqual(['Alice@Mailinator.com']);
      expect(await emails({ metadata: { plan: ['pro', 'free'] } })).toEqual([
        'Alice@Mailinator.com',
        'bob@mailinator.com',
      ]);
      expect(await emails({ metadata: { seats: 5 } })).toEqual(['Alice@Mailinator.com']);
      expect(await emails({ metadata: { beta: true } })).toEqual(['alice.b@mailinator.com']);
      const lastRequest = f.polar.requests.at(-1)!;
      expect(lastRequest.query).toMatchObject({
        'metadata[beta]': 'true',
        sorting: '-created_at',
        page: '1',
        limit: '10',
      });
    });

    it('leaves deleted customers out and rejects a page of 0', async () => {
      const gone = f.polar.seedCustomer({ email: 'gone@mailinator.com' });
      f.polar.seedCustomer({ email: 'here@mailinator.com' });
      await f.sdk.customers.delete(gone.id);
      expect((await f.sdk.customers.list()).items.map((c) => c.email)).toEqual(['here@mailinator.com']);
      const { detail } = await detailOf(f.sdk.customers.list({ page: 0 }));
      expect(detail[0]).toMatchObject({ loc: ['query', 'page'], type: 'greater_than' });
    });
  });
});
