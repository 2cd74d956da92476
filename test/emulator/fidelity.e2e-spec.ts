import { api, detailOf, startEmulator, type EmulatorFixture } from './helpers.js';

// Each test closes one row of ../shared/polar/FIDELITY-AUDIT.md (its id opens the test name): the emulator
// answers as Polar's server does where it used to accept or return something Polar does not.
describe('emulator fidelity (FIDELITY-AUDIT rows)', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator();
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const response = await api(f.polar, path, { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  }
  async function patch(path: string, body: unknown): Promise<{ status: number; body: any }> {
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
});
