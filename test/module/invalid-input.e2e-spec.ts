import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CustomersService, PolarInputException, SessionsService } from '../../lib/index.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { createModuleTestApp, SETUPS } from './module-test-app.js';

type Server = Parameters<typeof request>[0];
const ID = '0b4b1d0e-7f5a-4c4e-9d1e-2b7a3f1c9e10';
const long = (n: number) => 'x'.repeat(n);
const fiftyOneKeys = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));

/** [what, method, path, body, field the 400 must name] */
const CASES: [string, 'post' | 'patch' | 'get' | 'delete', string, unknown, string][] = [
  ['create: no email', 'post', '/customers', { name: 'A' }, 'email'],
  ['create: bad email', 'post', '/customers', { email: 'nope' }, 'email'],
  ['create: name of 257 chars', 'post', '/customers', { email: 'a@b.co', name: long(257) }, 'name'],
  ['create: 51 metadata keys', 'post', '/customers', { email: 'a@b.co', metadata: fiftyOneKeys }, 'metadata'],
  [
    'create: metadata key of 41 chars',
    'post',
    '/customers',
    { email: 'a@b.co', metadata: { [long(41)]: 1 } },
    'metadata',
  ],
  [
    'create: metadata value of 501 chars',
    'post',
    '/customers',
    { email: 'a@b.co', metadata: { k: long(501) } },
    'metadata',
  ],
  ['create: metadata null value', 'post', '/customers', { email: 'a@b.co', metadata: { k: null } }, 'metadata'],
  ['create: metadata empty string', 'post', '/customers', { email: 'a@b.co', metadata: { k: '' } }, 'metadata'],
  [
    'create: country not alpha-2',
    'post',
    '/customers',
    { email: 'a@b.co', billing_address: { country: 'France' } },
    'billing_address.country',
  ],
  ['create: tax_id without address', 'post', '/customers', { email: 'a@b.co', tax_id: 'FR1' }, 'billing_address'],
  ['create: team without owner', 'post', '/customers', { type: 'team', name: 'Acme' }, 'owner'],
  ['create: NUL character', 'post', '/customers', { email: 'a@b.co', name: 'a\u0000' }, 'name'],
  ['create: unknown field', 'post', '/customers', { email: 'a@b.co', plan: 'pro' }, 'plan'],
  ['get: id not a uuid4', 'get', '/customers/123', undefined, 'id'],
  ['state: id not a uuid4', 'get', '/customers/abc/state', undefined, 'id'],
  ['update: id not a uuid4', 'patch', '/customers/abc', { name: 'x' }, 'id'],
  ['update: bad email', 'patch', `/customers/${ID}`, { email: 'x@' }, 'email'],
  [
    'update by external id: changing external_id',
    'patch',
    '/external-customers/u1',
    { external_id: 'u2' },
    'external_id',
  ],
  [
    'update: billing_address null (audit D1, C11)',
    'patch',
    `/customers/${ID}`,
    { billing_address: null },
    'billing_address',
  ],
  ['update: metadata null (audit D2, C12)', 'patch', `/customers/${ID}`, { metadata: null }, 'metadata'],
  [
    'update by external id: billing_address null (audit D1)',
    'patch',
    '/external-customers/u1',
    { billing_address: null },
    'billing_address',
  ],
  [
    'create: unknown US state (audit D4, C9)',
    'post',
    '/customers',
    { email: 'a@b.co', billing_address: { country: 'US', state: 'XX' } },
    'billing_address.state',
  ],
  [
    'update: unknown Canadian province (audit D4)',
    'patch',
    `/customers/${ID}`,
    { billing_address: { country: 'CA', state: 'CA-ZZ' } },
    'billing_address.state',
  ],
  [
    'ensure: external_id with "/" (audit D7, C27)',
    'post',
    '/customers/ensure',
    { external_id: 'tenant/42', email: 'a@b.co' },
    'external_id',
  ],
  ['get by external id with "/" (audit D7, C27)', 'get', '/external-customers/tenant%2F42', undefined, 'externalId'],
  [
    'create: email at example.com, a null-MX domain (audit D5, C1)',
    'post',
    '/customers',
    { email: 'ada@example.com' },
    'email',
  ],
  ['create: email at a special-use domain (audit D5, C2)', 'post', '/customers', { email: 'ada@acme.test' }, 'email'],
  ['update: email at example.org (audit D5)', 'patch', `/customers/${ID}`, { email: 'ada@Example.ORG' }, 'email'],
  [
    'ensure: email at a .local domain (audit D5)',
    'post',
    '/customers/ensure',
    { external_id: 'u1', email: 'a@box.local' },
    'email',
  ],
  [
    'create: team owner at example.net (audit D5)',
    'post',
    '/customers',
    { type: 'team', name: 'Acme', owner: { email: 'owner@example.net' } },
    'owner.email',
  ],
  [
    'create: tax_id with a bad checksum for its country (audit D6, C7)',
    'post',
    '/customers',
    { email: 'a@b.co', billing_address: { country: 'DE' }, tax_id: 'DE136695977' },
    'tax_id',
  ],
  [
    'update: tax_id that is no tax ID of the address sent with it (audit D6)',
    'patch',
    `/customers/${ID}`,
    { billing_address: { country: 'US' }, tax_id: 'garbage' },
    'tax_id',
  ],
  [
    'create: locale that is not BCP 47 (audit D6, C13)',
    'post',
    '/customers',
    { email: 'a@b.co', locale: 'en_US' },
    'locale',
  ],
  ['update: locale und (audit D6, C13)', 'patch', `/customers/${ID}`, { locale: 'und' }, 'locale'],
  ['delete: id not a uuid4', 'delete', '/customers/abc', undefined, 'id'],
  ['list: limit 101', 'get', '/customers?limit=101', undefined, 'limit'],
  ['list: page 0', 'get', '/customers?page=0', undefined, 'page'],
  ['list: unknown sorting', 'get', '/customers?sorting=age', undefined, 'sorting'],
  ['iterate: limit 0', 'get', '/all-customers?limit=0', undefined, 'limit'],
  ['ensure: no external_id', 'post', '/customers/ensure', { email: 'a@b.co' }, 'external_id'],
  ['ensure: padded external_id', 'post', '/customers/ensure', { external_id: 'u1 ', email: 'a@b.co' }, 'external_id'],
  ['ensure: bad email', 'post', '/customers/ensure', { external_id: 'u1', email: 'a' }, 'email'],
  ['session: no customer id', 'post', '/sessions', { return_url: 'https://a.test' }, 'customer_id'],
  ['session: both customer ids', 'post', '/sessions', { customer_id: ID, external_customer_id: 'u1' }, 'customer_id'],
  ['session: customer_id not uuid4', 'post', '/sessions', { customer_id: 'u1' }, 'customer_id'],
  [
    'session: relative return_url',
    'post',
    '/sessions',
    { external_customer_id: 'u1', return_url: '/account' },
    'return_url',
  ],
  [
    'session: ftp return_url',
    'post',
    '/sessions',
    { external_customer_id: 'u1', return_url: 'ftp://a.test/x' },
    'return_url',
  ],
  [
    'session: return_url of 2084 chars',
    'post',
    '/sessions',
    { external_customer_id: 'u1', return_url: `https://a.test/${long(2069)}` },
    'return_url',
  ],
  ['session: member_id not uuid', 'post', '/sessions', { external_customer_id: 'u1', member_id: 'm1' }, 'member_id'],
];

// Validation does not depend on how the module was configured (lib/errors/polar-input.validation.spec.ts
// holds the rules): over HTTP once, through the first form; module.e2e-spec.ts wires every form.
describe.each([SETUPS[0]])('invalid input never reaches Polar (%s)', (setup) => {
  let polar: PolarEmulator;
  let app: INestApplication;
  let http: Server;

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    app = await createModuleTestApp(setup, polar);
    http = app.getHttpServer() as Server;
  });

  afterEach(() => polar.reset());

  afterAll(async () => {
    await app.close();
    await polar.stop();
  });

  it.each(CASES)('%s → 400 naming the field, no request sent', async (_what, method, path, body, field) => {
    const call = request(http)[method](path);
    const res = await (body === undefined ? call : call.send(body as object)).expect(400);
    expect(res.body.code).toBe('polar_invalid_input');
    expect(res.body.message).toContain(field);
    expect(res.body.problems).toContainEqual(expect.objectContaining({ field }));
    expect(polar.requests).toEqual([]);
  });
});

/** Deterministic pseudo-random generator, so a failing fuzz case can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('fuzz: services called directly with broken input', () => {
  let polar: PolarEmulator;
  let app: INestApplication;

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    app = await createModuleTestApp('forRoot', polar);
  });

  afterAll(async () => {
    await app.close();
    await polar.stop();
  });

  it('500 mutated inputs: each rejected with PolarInputException, none reaches the emulator', async () => {
    const next = random(20261123);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    const junk = (): unknown =>
      pick<unknown>([
        null,
        42,
        -1,
        1.5,
        true,
        '',
        ' ',
        'a\u0000b',
        long(3000),
        [],
        {},
        { nested: { deep: 1 } },
        'not-an-email',
        'ZZ',
      ]);
    const customers = app.get(CustomersService);
    const sessions = app.get(SessionsService);
    const breakers: (() => Promise<unknown>)[] = [
      () => customers.create({ email: 'ok@mailinator.com', name: long(257 + Math.floor(next() * 100)) }),
      () => customers.create({ email: pick(['', 'a', 'a@', '@b.co', 'a b@c.co']) } as never),
      () => customers.create({ email: 'ok@mailinator.com', metadata: { [pick(['', long(41)])]: 'v' } }),
      () =>
        customers.create({
          email: 'ok@mailinator.com',
          metadata: {
            k: pick<unknown>([null, '', long(501), [], {}, { deep: 1 }, Number.NaN, Number.POSITIVE_INFINITY]),
          },
        } as never),
      () => customers.create({ email: 'ok@mailinator.com', [pick(['emial', 'externalId', 'foo'])]: junk() } as never),
      () =>
        customers.create({ email: 'ok@mailinator.com', billing_address: { country: pick(['us', 'USA', '', 'XX']) } }),
      () => customers.get(String(junk())),
      () => customers.getState(pick(['', 'abc', '0b4b1d0e-7f5a-1c4e-9d1e-2b7a3f1c9e10'])),
      () => customers.getByExternalId(pick(['', '   ', 'a\u0000'])),
      () => customers.update(ID, { email: pick(['x', 'x@', '']) }),
      () => customers.delete(ID, { anonymize: pick(['yes', 1, null]) } as never),
      () => customers.list({ limit: pick([0, 101, 1.5, -3]) }),
      () => customers.ensure({ external_id: pick(['', ' a', 'a ', '\u0000']), email: 'ok@mailinator.com' }),
      () => sessions.create({ customer_id: pick(['', 'nope', '123e4567-e89b-12d3-a456-426614174000']) }),
      () =>
        sessions.create({
          external_customer_id: 'u1',
          return_url: pick(['/x', 'javascript:alert(1)', 'mailto:a@b.co', '']),
        }),
      () => sessions.create(junk() as never),
    ];
    for (let i = 0; i < 500; i++) {
      const breaker = pick(breakers);
      await expect(breaker()).rejects.toBeInstanceOf(PolarInputException);
    }
    expect(polar.requests).toEqual([]);
  });
});

describe('what Polar accepts reaches it (audit D3, D4)', () => {
  let polar: PolarEmulator;
  let app: INestApplication;

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    app = await createModuleTestApp('forRoot', polar);
  });
  afterEach(() => polar.reset());
  afterAll(async () => {
    await app.close();
    await polar.stop();
  });

  it('D3: a tax_id update without billing_address is sent, and Polar checks it against the stored address', async () => {
    const customers = app.get(CustomersService);
    const customer = await customers.create({ email: 'ada@mailinator.com', billing_address: { country: 'DE' } });
    const updated = await customers.update(customer.id, { tax_id: 'DE136695976' });
    expect(updated.tax_id).toEqual(['DE136695976', 'eu_vat']);
  });

  it('D4: a US state with or without its prefix passes, and Polar stores it prefixed', async () => {
    const customers = app.get(CustomersService);
    const plain = await customers.create({
      email: 'a@mailinator.com',
      billing_address: { country: 'US', state: 'NY' },
    });
    const prefixed = await customers.create({
      email: 'b@mailinator.com',
      billing_address: { country: 'US', state: 'US-NY' },
    });
    expect([plain.billing_address?.state, prefixed.billing_address?.state]).toEqual(['US-NY', 'US-NY']);
  });
});
