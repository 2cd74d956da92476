import { createHmac, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { createPolar, errors, webhooks } from '@polar-sh/sdk/2026-10';
import {
  api,
  detailOf,
  rejectionOf,
  manualClock,
  startEmulator,
  startReceiver,
  type EmulatorFixture,
  type Received,
} from './helpers.js';

// Each test closes one row of ../shared/polar/FIDELITY-AUDIT.md (its id opens the test name): the emulator
// answers as Polar's server does where it used to accept or return something Polar does not.
/** A parsed JSON answer, read field by field in assertions. */
type Json = ReturnType<typeof JSON.parse>;

describe('emulator fidelity (FIDELITY-AUDIT rows)', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator();
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  async function post(path: string, body: unknown): Promise<{ status: number; body: Json }> {
    const response = await api(f.polar, path, { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  }
  async function patch(path: string, body: unknown): Promise<{ status: number; body: Json }> {
    const response = await api(f.polar, path, { method: 'PATCH', body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  }

  describe('e-mail addresses', () => {
    it.each(['example.com', 'example.net', 'Example.ORG'])(
      'C1: refuses %s, whose null MX Polar’s deliverability check reads, with 422 naming the domain',
      async (domain) => {
        const answer = await post('/v1/customers/', { email: `ada@${domain}` });
        expect(answer.status).toBe(422);
        const lower = domain.toLowerCase();
        expect(answer.body).toEqual({
          error: 'RequestValidationError',
          detail: [
            {
              type: 'value_error',
              loc: ['body', 'email'],
              msg: `ada@${lower} is not a valid email address: The domain name ${lower} does not accept email.`,
              input: `ada@${domain}`,
              ctx: { email: `ada@${lower}`, reason: `The domain name ${lower} does not accept email.` },
            },
          ],
        });
        expect(f.polar.customers).toEqual([]);
      },
    );

    it('C1: refuses a subdomain of example.com, which has no DNS records', async () => {
      const detail = (await detailOf(f.sdk.customers.create({ email: 'ada@mail.example.com' }))).detail;
      expect(detail[0].msg).toBe(
        'ada@mail.example.com is not a valid email address: The domain name mail.example.com does not exist.',
      );
    });

    it.each(['acme.test', 'box.local', 'localhost.localhost', 'x.invalid', 'hidden.onion', '10.in-addr.arpa'])(
      'C2: refuses the special-use domain %s before any DNS lookup',
      async (domain) => {
        const { detail } = await detailOf(f.sdk.customers.create({ email: `ada@${domain}` }));
        expect(detail).toEqual([
          expect.objectContaining({
            type: 'value_error',
            loc: ['body', 'email'],
            msg: 'value is not a valid email address: The part after the @-sign is a special-use or reserved name that cannot be used with email.',
          }),
        ]);
      },
    );

    it('C2: refuses special-use domains for team owners and members too', async () => {
      const { detail } = await detailOf(
        f.sdk.customers.create({ type: 'team', name: 'Acme', owner: { email: 'boss@acme.test' } }),
      );
      expect(detail[0].loc).toEqual(['body', 'owner', 'email']);
    });

    it('C3: stores the address normalised: spaces and a display name dropped, the domain lower-cased', async () => {
      const plain = await post('/v1/customers/', { email: '  Ada.Lovelace@MailInator.COM ' });
      expect(plain.status).toBe(201);
      expect(plain.body.email).toBe('Ada.Lovelace@mailinator.com');
      const pretty = await post('/v1/customers/', { email: 'Grace Hopper <grace@Mailinator.com>' });
      expect(pretty.status).toBe(201);
      expect(pretty.body.email).toBe('grace@mailinator.com');
    });

    it('C5: an update that only changes the case of the email keeps the stored email and email_verified', async () => {
      const created = await post('/v1/customers/', { email: 'ada@mailinator.com' });
      const stored = f.polar.seedCustomer({ email: 'bob@mailinator.com', email_verified: true });
      const same = await patch(`/v1/customers/${stored.id}`, { email: 'BOB@mailinator.com' });
      expect(same.status).toBe(200);
      expect(same.body).toMatchObject({ email: 'bob@mailinator.com', email_verified: true });
      const other = await patch(`/v1/customers/${created.body.id}`, { email: 'ada.l@mailinator.com' });
      expect(other.body).toMatchObject({ email: 'ada.l@mailinator.com', email_verified: false });
    });
  });

  describe('updates Polar refuses', () => {
    it('C11: billing_address: null is 422 even when no address was ever set', async () => {
      const created = await post('/v1/customers/', { email: 'ada@mailinator.com' });
      const answer = await patch(`/v1/customers/${created.body.id}`, { billing_address: null });
      expect(answer).toEqual({
        status: 422,
        body: {
          error: 'PolarRequestValidationError',
          detail: [
            {
              type: 'value_error',
              loc: ['body', 'billing_address'],
              msg: 'Customer billing address cannot be reset to null once set.',
              input: null,
            },
          ],
        },
      });
    });

    it('C11: the null billing address is reported together with a duplicate email, in Polar’s order', async () => {
      await post('/v1/customers/', { email: 'taken@mailinator.com' });
      const mine = await post('/v1/customers/', { email: 'mine@mailinator.com' });
      const answer = await patch(`/v1/customers/${mine.body.id}`, {
        email: 'taken@mailinator.com',
        billing_address: null,
      });
      expect(answer.body.detail.map((item: { loc: string[] }) => item.loc)).toEqual([
        ['body', 'email'],
        ['body', 'billing_address'],
      ]);
    });

    it('C12: metadata: null is 422 dict_type, on update as on create', async () => {
      const created = await post('/v1/customers/', { email: 'ada@mailinator.com', metadata: { plan: 'pro' } });
      const answer = await patch(`/v1/customers/${created.body.id}`, { metadata: null });
      expect(answer).toEqual({
        status: 422,
        body: {
          error: 'RequestValidationError',
          detail: [
            { type: 'dict_type', loc: ['body', 'metadata'], msg: 'Input should be a valid dictionary', input: null },
          ],
        },
      });
      expect(f.polar.customers[0].metadata).toEqual({ plan: 'pro' });
    });

    it('C23: type: null on a team customer is a downgrade, refused with Polar’s message', async () => {
      const team = await post('/v1/customers/', { type: 'team', email: 'team@mailinator.com' });
      const answer = await patch(`/v1/customers/${team.body.id}`, { type: null });
      expect(answer.status).toBe(422);
      expect(answer.body.detail[0]).toMatchObject({
        loc: ['body', 'type'],
        msg: "Customer type cannot be downgraded from 'team' to 'individual'.",
      });
    });
  });

  describe('locale', () => {
    it.each([
      ['en', 'en'],
      ['EN-us', 'en-US'],
      ['zh-hant-tw', 'zh-Hant-TW'],
      ['en-GB-oxendict', 'en-GB-oxendict'],
    ])('C13: accepts the BCP 47 tag %s and stores it as %s', async (given, stored) => {
      const answer = await post('/v1/customers/', { email: 'ada@mailinator.com', locale: given });
      expect(answer.status).toBe(201);
      expect(answer.body.locale).toBe(stored);
    });

    it.each(['english', 'en_US', 'und', 'x-private', '', 'e'])(
      'C13: refuses %p with 422 "Invalid IETF BCP 47 language tag"',
      async (locale) => {
        const answer = await post('/v1/customers/', { email: 'ada@mailinator.com', locale });
        expect(answer.status).toBe(422);
        expect(answer.body.detail).toEqual([
          {
            type: 'value_error',
            loc: ['body', 'locale'],
            msg: 'Value error, Invalid IETF BCP 47 language tag',
            input: locale,
            ctx: { error: 'Invalid IETF BCP 47 language tag' },
          },
        ]);
      },
    );
  });

  describe('addresses and tax ids', () => {
    it('C9: a US state is stored with its US- prefix; an unknown one is 422 "Invalid US state"', async () => {
      const created = await post('/v1/customers/', {
        email: 'ada@mailinator.com',
        billing_address: { country: 'US', state: 'CA' },
      });
      expect(created.body.billing_address).toEqual({
        line1: null,
        line2: null,
        postal_code: null,
        city: null,
        state: 'US-CA',
        country: 'US',
      });
      const address = { country: 'US', state: 'XX' };
      const bad = await post('/v1/customers/', { email: 'bob@mailinator.com', billing_address: address });
      expect(bad).toEqual({
        status: 422,
        body: {
          error: 'RequestValidationError',
          detail: [
            {
              type: 'value_error',
              loc: ['body', 'billing_address'],
              msg: 'Value error, Invalid US state',
              input: address,
              ctx: { error: 'Invalid US state' },
            },
          ],
        },
      });
    });

    it('C9: a Canadian province is checked the same way; other countries keep any state', async () => {
      const ok = await post('/v1/customers/', {
        email: 'a@mailinator.com',
        billing_address: { country: 'CA', state: 'CA-QC' },
      });
      expect(ok.body.billing_address.state).toBe('CA-QC');
      const bad = await post('/v1/customers/', {
        email: 'b@mailinator.com',
        billing_address: { country: 'CA', state: 'ZZ' },
      });
      expect(bad.body.detail[0].msg).toBe('Value error, Invalid CA subdivision');
      const de = await post('/v1/customers/', {
        email: 'c@mailinator.com',
        billing_address: { country: 'DE', state: 'Bayern' },
      });
      expect(de.body.billing_address.state).toBe('Bayern');
    });

    it('C10, C14: the country is upper-cased and address lines are stripped, as AddressInput does', async () => {
      const created = await post('/v1/customers/', {
        email: 'ada@mailinator.com',
        billing_address: { country: 'gb', city: '  London ', line1: '   ' },
      });
      expect(created.status).toBe(201);
      expect(created.body.billing_address).toMatchObject({ country: 'GB', city: 'London', line1: null });
    });

    it.each([
      ['DE', 'garbage'],
      ['DE', 'DE136695977'],
      ['DE', '136695976'],
      ['FR', 'FR00954506077'],
      ['GB', 'GB123456789'],
      ['US', '07-1234567'],
      ['US', '12345'],
      ['AQ', '12345678'],
    ])('C7: refuses the %s tax ID %s with 422 invalid "Invalid tax ID."', async (country, taxId) => {
      const answer = await post('/v1/customers/', {
        email: 'ada@mailinator.com',
        billing_address: { country },
        tax_id: taxId,
      });
      expect(answer).toEqual({
        status: 422,
        body: {
          error: 'PolarRequestValidationError',
          detail: [{ type: 'invalid', loc: ['body', 'tax_id'], msg: 'Invalid tax ID.', input: taxId }],
        },
      });
    });

    it.each([
      ['DE', 'DE 136 695 976', ['DE136695976', 'eu_vat']],
      ['FR', 'FR61954506077', ['FR61954506077', 'eu_vat']],
      ['NL', 'NL004495445B01', ['NL004495445B01', 'eu_vat']],
      ['GB', 'GB980780684', ['980780684', 'gb_vat']],
      ['US', '91-1144442', ['911144442', 'us_ein']],
    ])('C7: accepts the valid %s tax ID %s and stores it compact with its format', async (country, taxId, stored) => {
      const answer = await post('/v1/customers/', {
        email: 'ada@mailinator.com',
        billing_address: { country },
        tax_id: taxId,
      });
      expect(answer.status).toBe(201);
      expect(answer.body.tax_id).toEqual(stored);
    });

    it('C8: on update a tax ID is checked against the stored address; a new address re-checks the stored tax ID', async () => {
      const created = await post('/v1/customers/', { email: 'ada@mailinator.com', billing_address: { country: 'DE' } });
      const withTax = await patch(`/v1/customers/${created.body.id}`, { tax_id: 'DE136695976' });
      expect(withTax.body.tax_id).toEqual(['DE136695976', 'eu_vat']);
      const moved = await patch(`/v1/customers/${created.body.id}`, { billing_address: { country: 'US' } });
      expect(moved.body.detail).toEqual([
        { type: 'invalid', loc: ['body', 'tax_id'], msg: 'Invalid tax ID.', input: 'DE136695976' },
      ]);
      const bare = await post('/v1/customers/', { email: 'bob@mailinator.com' });
      const missing = await patch(`/v1/customers/${bare.body.id}`, { tax_id: 'DE136695976' });
      expect(missing.body.detail).toEqual([
        {
          type: 'missing',
          loc: ['body', 'billing_address'],
          msg: 'Country is required to validate tax ID.',
          input: null,
        },
      ]);
    });
  });

  describe('paths', () => {
    it('C27: an external id with "/" cannot be looked up: %2F is decoded before routing, so the route is unknown', async () => {
      const created = await post('/v1/customers/', { email: 'ada@mailinator.com', external_id: 'tenant/42' });
      expect(created.status).toBe(201);
      const answer = await api(f.polar, '/v1/customers/external/tenant%2F42');
      expect(answer.status).toBe(404);
      expect(await answer.json()).toEqual({ detail: 'Not Found' });
    });

    it('C27: a decoded %2F can land on another route, as on Polar (external id "a" + "/state")', async () => {
      await post('/v1/customers/', { email: 'ada@mailinator.com', external_id: 'a' });
      const answer = await api(f.polar, '/v1/customers/external/a%2Fstate');
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ external_id: 'a', active_subscriptions: [] });
    });
  });

  describe('lists', () => {
    it('C30: active=true lists only customers with a billable subscription (none here), active=false the others', async () => {
      for (const name of ['a', 'b', 'c']) await f.sdk.customers.create({ email: `${name}@mailinator.com` });
      const active = await f.sdk.customers.list({ active: true });
      expect(active.items).toEqual([]);
      expect(active.pagination).toEqual({ total_count: 0, max_page: 0 });
      expect((await f.sdk.customers.list({ active: false })).items).toHaveLength(3);
    });

    it('C31: query matches the external id by prefix only, and searches the billing name', async () => {
      f.polar.seedCustomer({ email: 'one@mailinator.com', external_id: 'u1' });
      f.polar.seedCustomer({ email: 'two@mailinator.com', external_id: '1u', billing_name: 'Analytical Engines Ltd' });
      const emails = async (query: string): Promise<string[]> =>
        (await f.sdk.customers.list({ query })).items.map((customer) => customer.email ?? '');
      expect(await emails('1')).toEqual(['two@mailinator.com']);
      expect(await emails('engines')).toEqual(['two@mailinator.com']);
    });
  });

  describe('customer export and payment methods', () => {
    const header =
      'ID,External ID,Created At,Email,Name,Tax ID,Billing Address Line 1,Billing Address Line 2,' +
      'Billing Address City,Billing Address State,Billing Address Zip,Billing Address Country,Metadata\r\n';

    it('C34: exports live customers as Polar’s CSV download, quoting as Python’s csv writer does', async () => {
      const ada = f.polar.seedCustomer({
        email: 'ada@mailinator.com',
        name: 'Lovelace, "Ada"',
        external_id: 'u1',
        created_at: '2026-01-02T03:04:05.678Z',
        tax_id: ['DE123456789', 'eu_vat'],
        billing_address: {
          line1: '1 Engine St',
          line2: null,
          postal_code: '10115',
          city: 'Berlin',
          state: null,
          country: 'DE',
        },
        metadata: { plan: 'pro', seats: 3, café: true },
      });
      const bob = f.polar.seedCustomer({ email: 'bob@mailinator.com', created_at: '2026-01-03T00:00:00.000Z' });
      const gone = await f.sdk.customers.create({ email: 'gone@mailinator.com' });
      await f.sdk.customers.delete(gone.id);

      const csv = await f.sdk.customers.export();
      expect(csv).toBe(
        header +
          `${ada.id},u1,2026-01-02T03:04:05.678000+00:00,ada@mailinator.com,"Lovelace, ""Ada""",` +
          `"('DE123456789', <TaxIDFormat.eu_vat: 'eu_vat'>)",1 Engine St,,Berlin,,10115,DE,` +
          `"{""plan"": ""pro"", ""seats"": 3, ""caf\\u00e9"": true}"\r\n` +
          `${bob.id},,2026-01-03T00:00:00.000000+00:00,bob@mailinator.com,,,,,,,,,\r\n`,
      );
      const raw = await api(f.polar, '/v1/customers/export');
      expect(raw.status).toBe(200);
      expect(raw.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(raw.headers.get('content-disposition')).toBe('attachment; filename="polar-customers.csv"');
    });

    it('C34: export filters by organization_id and refuses one that is not a uuid4 with 422', async () => {
      f.polar.seedCustomer({ email: 'ada@mailinator.com' });
      const ours = await f.sdk.customers.export({ organization_id: f.polar.organizationId });
      expect(ours.split('\r\n')).toHaveLength(3);
      expect(await f.sdk.customers.export({ organization_id: '1dbfc517-0bbf-4301-9ba8-555ca42b9737' })).toBe(header);
      const { detail } = await detailOf(f.sdk.customers.export({ organization_id: 'export' }));
      expect(detail).toEqual([expect.objectContaining({ loc: ['query', 'organization_id', 0], input: 'export' })]);
    });

    it('C34: export and payment methods need customers:read, as Polar’s other customer reads do', async () => {
      const ada = f.polar.seedCustomer({ email: 'ada@mailinator.com', external_id: 'u1' });
      f.polar.addToken('polar_oat_members_only', ['members:read']);
      const reader = createPolar({ accessToken: 'polar_oat_members_only', baseUrl: f.polar.url });
      // One call at a time, so that no rejection waits unhandled behind another.
      for (const call of [
        () => reader.customers.export(),
        () => reader.customers.listPaymentMethods(ada.id),
        () => reader.customers.listPaymentMethodsExternal('u1'),
      ]) {
        const error = await rejectionOf(call());
        expect(error.statusCode).toBe(403);
        expect(JSON.parse(error.error as string)).toMatchObject({ error: 'insufficient_scope' });
      }
    });

    it('C34: a known customer has an empty page of payment methods, by id and by external id', async () => {
      const ada = f.polar.seedCustomer({ email: 'ada@mailinator.com', external_id: 'u1' });
      const empty = { items: [], pagination: { total_count: 0, max_page: 0 } };
      expect(await f.sdk.customers.listPaymentMethods(ada.id)).toEqual(empty);
      expect(await f.sdk.customers.listPaymentMethodsExternal('u1', { page: 2, limit: 500 })).toEqual(empty);
    });

    it('C34: payment methods of an unknown customer are 404 ResourceNotFound; a bad id or page is 422', async () => {
      for (const call of [
        () => f.sdk.customers.listPaymentMethods('1dbfc517-0bbf-4301-9ba8-555ca42b9737'),
        () => f.sdk.customers.listPaymentMethodsExternal('nobody'),
      ]) {
        const error = await rejectionOf(call());
        expect(error).toBeInstanceOf(errors.ResourceNotFound);
        expect(error.error).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
      }
      const { detail } = await detailOf(f.sdk.customers.listPaymentMethods('not-a-uuid', { page: 0 }));
      expect(detail.map((item) => item.loc)).toEqual([
        ['path', 'id'],
        ['query', 'page'],
      ]);
    });
  });

  describe('stored shape', () => {
    it('C15: billing_name falls back to the name when no billing name is set, and follows it on update', async () => {
      const created = await post('/v1/customers/', { email: 'ada@mailinator.com', name: 'Ada' });
      expect(created.body.billing_name).toBe('Ada');
      const renamed = await patch(`/v1/customers/${created.body.id}`, { name: 'Ada Lovelace' });
      expect(renamed.body.billing_name).toBe('Ada Lovelace');
      const seeded = f.polar.seedCustomer({ name: 'Bob', billing_name: 'Bob Ltd' });
      expect((await patch(`/v1/customers/${seeded.id}`, { name: 'Robert' })).body.billing_name).toBe('Bob Ltd');
    });

    it('C25: anonymize hashes the email (anonymized.polar.sh) and name, keeps tax_id and external_id, stamps __anonymized_at', async () => {
      const created = await post('/v1/customers/', {
        email: 'ada@mailinator.com',
        name: 'Ada',
        external_id: 'u1',
        billing_address: { country: 'US', state: 'NY' },
      });
      const business = await post('/v1/customers/', {
        email: 'firm@mailinator.com',
        name: 'Engines Ltd',
        billing_address: { country: 'DE' },
        tax_id: 'DE136695976',
      });
      for (const id of [created.body.id, business.body.id]) {
        const answer = await api(f.polar, `/v1/customers/${id}?anonymize=true`, { method: 'DELETE' });
        expect(answer.status).toBe(204);
      }
      const [ada, firm] = f.polar.customers;
      expect(ada.email).toMatch(/^[0-9a-f]{64}@anonymized\.polar\.sh$/);
      expect(ada.name).toMatch(/^[0-9a-f]{64}$/);
      expect(ada).toMatchObject({ billing_address: null, email_verified: false, external_id: null });
      expect(ada.metadata).toMatchObject({ __external_id: 'u1', __anonymized_at: expect.any(String) });
      expect(firm).toMatchObject({ name: 'Engines Ltd', tax_id: ['DE136695976', 'eu_vat'], billing_address: null });
    });
  });

  describe('webhooks', () => {
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    beforeAll(async () => {
      receiver = await startReceiver();
    });
    afterAll(() => receiver.close());

    async function eventsOf(
      fixture: EmulatorFixture,
      act: () => Promise<unknown>,
    ): Promise<{ type: string; data: Json }[]> {
      const stop = fixture.polar.sendWebhooks({ url: receiver.url, secret: 'whsec_dGVzdA==' });
      try {
        await act();
        await fixture.polar.waitForWebhooks();
      } finally {
        stop();
      }
      return fixture.polar.webhookDeliveries.map((delivery) => JSON.parse(delivery.body));
    }

    const headersOf = (delivery: Received): Record<string, string> =>
      Object.fromEntries(Object.entries(delivery.headers).map(([key, value]) => [key, String(value)]));
    const expectedSignature = (delivery: Received, key: Buffer): string =>
      `v1,${createHmac('sha256', key)
        .update(`${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`)
        .digest('base64')}`;

    /** The customer.created delivery of one create, sent with a fresh secret and `scheme`. */
    async function signedDelivery(scheme?: 'standard' | 'legacy'): Promise<{ secret: string; delivery: Received }> {
      const secret = `whsec_${randomBytes(24).toString('base64')}`;
      receiver.received.length = 0;
      const stop = f.polar.sendWebhooks({ url: receiver.url, secret, scheme });
      try {
        await f.sdk.customers.create({ email: 'ada@mailinator.com' });
        await f.polar.waitForWebhooks();
      } finally {
        stop();
      }
      return { secret, delivery: receiver.received[0] };
    }

    it('W1: the legacy scheme signs with the UTF-8 bytes of the whole secret, as Polar’s older endpoints do', async () => {
      const { secret, delivery } = await signedDelivery('legacy');
      expect(delivery.headers['webhook-signature']).toBe(expectedSignature(delivery, Buffer.from(secret, 'utf8')));
      // Not the base64 part: a Standard Webhooks verifier given the secret as it is would refuse it.
      const base64Part = Buffer.from(secret.slice('whsec_'.length), 'base64');
      expect(delivery.headers['webhook-signature']).not.toBe(expectedSignature(delivery, base64Part));
      // The SDK (and so this module) tries both keys.
      await expect(webhooks.validateEvent(delivery.body, headersOf(delivery), secret)).resolves.toMatchObject({
        type: 'customer.created',
      });
    });

    it('W1: the standard scheme (the default) signs with the base64 part after whsec_', async () => {
      const { secret, delivery } = await signedDelivery();
      const base64Part = Buffer.from(secret.slice('whsec_'.length), 'base64');
      expect(delivery.headers['webhook-signature']).toBe(expectedSignature(delivery, base64Part));
      await expect(webhooks.validateEvent(delivery.body, headersOf(delivery), secret)).resolves.toMatchObject({
        type: 'customer.created',
      });
      expect(delivery.headers['webhook-signature']).not.toBe(expectedSignature(delivery, Buffer.from(secret, 'utf8')));
    });

    it('W8: a 3xx answer is a failed delivery (redirects are not followed), retried on Polar’s backoff', async () => {
      const { clock, advance } = manualClock();
      const timed = await startEmulator({ clock });
      receiver.received.length = 0;
      receiver.statuses.push(308);
      const stop = timed.polar.sendWebhooks({ url: receiver.url, secret: 'whsec_dGVzdA==' });
      try {
        timed.polar.emitWebhook('order.paid', { id: 'ord_1' });
        await timed.polar.waitForWebhooks();
        expect(timed.polar.webhookDeliveries.map((d) => [d.attempt, d.status])).toEqual([[1, 308]]);
        expect(receiver.received).toHaveLength(1);
        advance(3_999);
        await timed.polar.waitForWebhooks();
        expect(receiver.received).toHaveLength(1);
        advance(1);
        await timed.polar.waitForWebhooks();
        expect(timed.polar.webhookDeliveries.map((d) => [d.attempt, d.status])).toEqual([
          [1, 308],
          [2, 202],
        ]);
      } finally {
        stop();
        await timed.polar.stop();
      }
    });

    it('W8: an event is tried 10 times (4 s, 8 s, … capped at 20 min apart), and 10 failed events disable the endpoint', async () => {
      const { clock, advance } = manualClock();
      const timed = await startEmulator({ clock });
      receiver.received.length = 0;
      receiver.statuses.push(...Array.from({ length: 10 }, () => 500));
      const stop = timed.polar.sendWebhooks({ url: receiver.url, secret: 'whsec_dGVzdA==' });
      try {
        timed.polar.emitWebhook('order.paid', { id: 'ord_1' });
        await timed.polar.waitForWebhooks();
        const gaps = [4, 8, 16, 32, 64, 128, 256, 512, 1024].map((s) => Math.min(s * 1000, 20 * 60_000));
        for (const gap of gaps) {
          advance(gap);
          await timed.polar.waitForWebhooks();
        }
        expect(timed.polar.webhookDeliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        advance(60 * 60_000);
        await timed.polar.waitForWebhooks();
        expect(receiver.received).toHaveLength(10);
      } finally {
        stop();
        await timed.polar.stop();
      }
      const failing = await startEmulator();
      receiver.received.length = 0;
      receiver.statuses.length = 0;
      receiver.statuses.push(...Array.from({ length: 10 }, () => 503));
      const stopFailing = failing.polar.sendWebhooks({ url: receiver.url, secret: 'whsec_dGVzdA==', retries: 0 });
      try {
        for (let i = 1; i <= 11; i++) failing.polar.emitWebhook('order.paid', { id: `ord_${i}` });
        await failing.polar.waitForWebhooks();
        // The 11th event finds the endpoint disabled: Polar stops sending to it.
        expect(receiver.received.map((d) => JSON.parse(d.body).data.id)).toHaveLength(10);
      } finally {
        stopFailing();
        await failing.polar.stop();
      }
    });

    it('W7: a customer.state_changed payload is built when the worker sends it, so it carries what changed since', async () => {
      const customer = await f.sdk.customers.create({ email: 'ada@mailinator.com' });
      const price = [{ amount_type: 'fixed' as const, price_amount: 2000 }];
      const once = f.polar.billing.seedProduct({ name: 'Setup fee', prices: price });
      const plan = f.polar.billing.seedProduct({ name: 'Basic', recurring_interval: 'month', prices: price });
      let subscription: Json;
      const events = await eventsOf(f, async () => {
        // Two purchases in one go (as two requests committing before Polar's worker runs): each queues a
        // state_changed job, and each job reads the state as it is when it runs, with the subscription.
        f.polar.billing.purchase({ customer, product: once });
        subscription = f.polar.billing.seedSubscription({ customer, product: plan });
      });
      const states = events.filter((event) => event.type === 'customer.state_changed');
      expect(states).toHaveLength(2);
      for (const state of states) {
        expect(state.data.active_subscriptions.map((s: Json) => s.id)).toEqual([subscription.id]);
      }
    });

    it('W7: customer.updated is built from the row when the worker runs: two updates committed before it both show the last', async () => {
      const created = await f.sdk.customers.create({ email: 'ada@mailinator.com', name: 'Ada' });
      const update = (name: string, connection: string) => {
        const body = JSON.stringify({ name });
        return [
          `PATCH /v1/customers/${created.id} HTTP/1.1`,
          `host: 127.0.0.1`,
          `authorization: Bearer ${f.polar.accessToken}`,
          'content-type: application/json',
          `content-length: ${Buffer.byteLength(body)}`,
          `connection: ${connection}`,
          '',
          body,
        ].join('\r\n');
      };
      const events = await eventsOf(f, async () => {
        // Both requests in one write: the second is handled before the first's job runs, as a second
        // commit can land before Polar's worker picks the first job up.
        await new Promise<void>((resolve, reject) => {
          const socket = connect(Number(new URL(f.polar.url).port), '127.0.0.1');
          socket.on('error', reject);
          socket.on('close', () => resolve());
          socket.resume();
          socket.end(update('Ada One', 'keep-alive') + update('Ada Two', 'close'));
        });
      });
      const updated = events.filter((event) => event.type === 'customer.updated');
      expect(updated.map((event) => event.data.name)).toEqual(['Ada Two', 'Ada Two']);
    });

    it('C33: GET state answers what Polar’s worker cached with the last state_changed, current once the change was answered', async () => {
      const customer = await f.sdk.customers.create({ email: 'ada@mailinator.com', external_id: 'user-1' });
      const plan = f.polar.billing.seedProduct({
        name: 'Basic',
        recurring_interval: 'month',
        prices: [{ amount_type: 'fixed', price_amount: 2000 }],
      });
      let subscription: Json;
      const events = await eventsOf(f, async () => {
        subscription = f.polar.billing.seedSubscription({ customer, product: plan });
        await f.sdk.customers.update(customer.id, { name: 'Ada Lovelace' });
      });
      // Polar's worker rewrites the cached state with what it sends (get_state(cache=False)); a read
      // then answers that cache, by id and by external id alike.
      const last = events.filter((event) => event.type === 'customer.state_changed').at(-1);
      const byId = await api(f.polar, `/v1/customers/${customer.id}/state`).then((r) => r.json());
      const byExternal = await api(f.polar, '/v1/customers/external/user-1/state').then((r) => r.json());
      expect(byId).toEqual(last?.data);
      expect(byExternal).toEqual(byId);
      expect(byId.name).toBe('Ada Lovelace');
      expect(byId.active_subscriptions.map((s: Json) => s.id)).toEqual([subscription.id]);
    });

    it('W6: customer.deleted and its state_changed carry the deleted customer’s external id', async () => {
      const created = await f.sdk.customers.create({ email: 'ada@mailinator.com', external_id: 'user-1' });
      const events = await eventsOf(f, () => f.sdk.customers.delete(created.id));
      expect(events.map((event) => [event.type, event.data.external_id])).toEqual([
        ['customer.deleted', 'user-1'],
        ['customer.state_changed', 'user-1'],
      ]);
    });

    it('W5, M7: the owner’s member.created comes before customer.created, and the owner takes the customer’s name', async () => {
      const teams = await startEmulator({ memberModel: true });
      try {
        let teamId = '';
        const created = await eventsOf(teams, async () => {
          const team = await teams.sdk.customers.create({
            type: 'team',
            name: 'Acme',
            external_id: 'acme',
            owner: { email: 'boss@mailinator.com' },
          });
          teamId = team.id;
        });
        expect(created.map((event) => event.type)).toEqual([
          'member.created',
          'customer.created',
          'customer.state_changed',
        ]);
        // M7: the owner takes the customer's name and external id when none is given.
        expect(created[0].data).toMatchObject({ email: 'boss@mailinator.com', name: 'Acme', external_id: 'acme' });
        expect(teams.polar.webhookDeliveries).toHaveLength(3);
        expect(teamId).not.toBe('');
      } finally {
        await teams.polar.stop();
      }
    });

    it('C24: deleting a team customer deletes its members, each with member.deleted before customer.deleted', async () => {
      const teams = await startEmulator({ memberModel: true });
      try {
        const team = await teams.sdk.customers.create({ type: 'team', email: 'team@mailinator.com' });
        await teams.sdk.customers.members.create(team.id, { email: 'dev@mailinator.com' });
        const events = await eventsOf(teams, () => teams.sdk.customers.delete(team.id));
        expect(events.map((event) => [event.type, event.data.email])).toEqual([
          ['member.deleted', 'team@mailinator.com'],
          ['member.deleted', 'dev@mailinator.com'],
          ['customer.deleted', 'team@mailinator.com'],
          ['customer.state_changed', 'team@mailinator.com'],
        ]);
      } finally {
        await teams.polar.stop();
      }
    });

    it('M7: without the member model, creating a customer creates no member', async () => {
      const events = await eventsOf(f, () =>
        f.sdk.customers.create({ type: 'team', name: 'Acme', owner: { email: 'boss@mailinator.com' } }),
      );
      expect(events.map((event) => event.type)).toEqual(['customer.created', 'customer.state_changed']);
    });
  });

  it('S9: an individual customer’s owner member follows an email change, so the portal URL carries the new one', async () => {
    const teams = await startEmulator({ memberModel: true });
    try {
      const customer = await teams.sdk.customers.create({ email: 'old@mailinator.com' });
      await teams.sdk.customers.update(customer.id, { email: 'new@mailinator.com' });
      const session = await teams.sdk.customerSessions.create({ customer_id: customer.id });
      expect(session.customer_portal_url).toContain('email=new%40mailinator.com');
    } finally {
      await teams.polar.stop();
    }
  });

  describe('members (member model on)', () => {
    let teams: EmulatorFixture;
    beforeAll(async () => {
      teams = await startEmulator({ memberModel: true });
    });
    afterAll(() => teams.polar.stop());
    beforeEach(() => teams.polar.reset());

    interface MemberList {
      items: { id: string; email: string; role: string; customer_id: string }[];
      pagination: { total_count: number; max_page: number };
    }
    // The SDK has no call for GET /v1/members/; the spec has it.
    async function listMembers(query: Record<string, string>): Promise<MemberList> {
      const answer = await api(teams.polar, `/v1/members/?${new URLSearchParams(query)}`);
      expect(answer.status).toBe(200);
      return (await answer.json()) as MemberList;
    }
    async function membersOf(customerId: string): Promise<MemberList['items']> {
      return (await listMembers({ customer_id: customerId, sorting: 'created_at' })).items;
    }
    async function team(): Promise<{ id: string; ownerId: string }> {
      const created = await teams.sdk.customers.create({ type: 'team', email: 'team@mailinator.com' });
      const [owner] = await membersOf(created.id);
      return { id: created.id, ownerId: owner.id };
    }
    const roles = async (customerId: string): Promise<Record<string, string>> =>
      Object.fromEntries((await membersOf(customerId)).map((member) => [member.email, member.role]));

    it('M9: GET /v1/members/ lists members, filtered by customer and role, newest first by default', async () => {
      const { id } = await team();
      await teams.sdk.customers.members.create(id, { email: 'dev@mailinator.com' });
      const other = await teams.sdk.customers.create({ email: 'solo@mailinator.com', external_id: 'solo' });
      const all = await listMembers({});
      expect(all.pagination).toEqual({ total_count: 3, max_page: 1 });
      expect(all.items.map((member) => member.email)).toEqual([
        'solo@mailinator.com',
        'dev@mailinator.com',
        'team@mailinator.com',
      ]);
      const owners = await listMembers({ role: 'owner' });
      expect(owners.items.map((member) => member.email).sort()).toEqual(['solo@mailinator.com', 'team@mailinator.com']);
      const byExternal = await listMembers({ external_customer_id: 'solo' });
      expect(byExternal.items.map((member) => member.customer_id)).toEqual([other.id]);
    });

    it('M3: adding an email that is already a member returns that member (201), without a webhook', async () => {
      const { id } = await team();
      const first = await teams.sdk.customers.members.create(id, { email: 'dev@mailinator.com' });
      const again = await api(teams.polar, `/v1/customers/${id}/members`, {
        method: 'POST',
        body: JSON.stringify({ email: 'DEV@mailinator.com', name: 'Other' }),
      });
      expect(again.status).toBe(201);
      expect(await again.json()).toEqual(first);
      expect(await membersOf(id)).toHaveLength(2);
    });

    it('M4: promoting a member to owner transfers ownership; the old owner becomes billing_manager', async () => {
      const { id } = await team();
      const dev = await teams.sdk.customers.members.create(id, { email: 'dev@mailinator.com' });
      const promoted = await teams.sdk.customers.members.update(id, dev.id, { role: 'owner' });
      expect(promoted.role).toBe('owner');
      expect(await roles(id)).toEqual({ 'team@mailinator.com': 'billing_manager', 'dev@mailinator.com': 'owner' });
    });

    it('M4: demoting the only owner is 422 "Customer must have exactly one owner"', async () => {
      const { id, ownerId } = await team();
      const { detail } = await detailOf(teams.sdk.customers.members.update(id, ownerId, { role: 'member' }));
      expect(detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'role'],
          msg: 'Cannot change role. Customer must have exactly one owner.',
          input: 'member',
        },
      ]);
      expect(await roles(id)).toEqual({ 'team@mailinator.com': 'owner' });
    });

    it('M5: deleting the only owner is 422 at ["body"]; the owner stays', async () => {
      const { id, ownerId } = await team();
      const answer = await api(teams.polar, `/v1/customers/${id}/members/${ownerId}`, { method: 'DELETE' });
      expect(answer.status).toBe(422);
      expect(await answer.json()).toEqual({
        error: 'PolarRequestValidationError',
        detail: [
          {
            type: 'value_error',
            loc: ['body'],
            msg: 'Cannot delete the only owner. Transfer ownership first.',
            input: ownerId,
          },
        ],
      });
      expect(await membersOf(id)).toHaveLength(1);
    });

    it('M6: the email of an individual customer’s owner cannot be changed through the member endpoint', async () => {
      const solo = await teams.sdk.customers.create({ email: 'solo@mailinator.com' });
      const [owner] = await membersOf(solo.id);
      const { detail } = await detailOf(
        teams.sdk.customers.members.update(solo.id, owner.id, { email: 'other@mailinator.com' }),
      );
      expect(detail[0]).toMatchObject({
        loc: ['body', 'email'],
        msg: "Cannot change the email of an individual customer's owner. Update the customer's email instead.",
      });
    });

    it('M2: an individual customer has exactly one member: a second one is 403', async () => {
      const solo = await teams.sdk.customers.create({ email: 'solo@mailinator.com' });
      const answer = await api(teams.polar, `/v1/customers/${solo.id}/members`, {
        method: 'POST',
        body: JSON.stringify({ email: 'friend@mailinator.com' }),
      });
      expect(answer.status).toBe(403);
      expect((await answer.json()).detail).toMatch(/^Individual customers can only have one member \(the owner\)/);
    });
  });
});
