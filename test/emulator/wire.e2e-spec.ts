import { PolarClientError } from '@polar-sh/sdk';
import { createPolar } from '@polar-sh/sdk/2026-10';
import { PolarEmulator } from '../../lib/testing/index.js';
import { api, rawRequest, rejectionOf, startEmulator, type EmulatorFixture } from './helpers.js';

describe('emulator: auth, versions and wire details', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator({ accessToken: 'polar_oat_test_token_1234567890' });
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  it('binds 127.0.0.1 and uses the given access token', () => {
    expect(f.polar.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(f.polar.accessToken).toBe('polar_oat_test_token_1234567890');
  });

  it('generates a polar_oat_ token by default', async () => {
    const other = await PolarEmulator.start();
    try {
      expect(other.accessToken).toMatch(/^polar_oat_[A-Za-z0-9]{43}$/);
    } finally {
      await other.stop();
    }
  });

  it('answers a missing or non-Bearer Authorization with 401 Unauthorized and WWW-Authenticate', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz']) {
      const response = await fetch(`${f.polar.url}/v1/customers/`, {
        headers: { 'polar-version': '2026-10', ...(authorization ? { authorization } : {}) },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="polar"');
      expect(await response.json()).toEqual({ error: 'Unauthorized', detail: 'Unauthorized' });
    }
  });

  it('answers an unknown token with 401 invalid_token and no-store', async () => {
    const response = await api(f.polar, '/v1/customers/', { headers: { authorization: 'Bearer polar_oat_wrong' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(await response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'The access token provided is expired, revoked, malformed, or invalid for other reasons.',
    });
    const sdkError = await rejectionOf(
      createPolar({ accessToken: 'polar_oat_wrong', baseUrl: f.polar.url }).customers.list(),
    );
    expect(sdkError).toBeInstanceOf(PolarClientError);
    expect(sdkError.statusCode).toBe(401);
    expect(sdkError.error).toContain('invalid_token');
  });

  it('answers a token without the scope with 403 insufficient_scope', async () => {
    f.polar.addToken('polar_oat_read_only', ['customers:read']);
    const reader = createPolar({ accessToken: 'polar_oat_read_only', baseUrl: f.polar.url });
    await expect(reader.customers.list()).resolves.toMatchObject({ items: [] });
    for (const call of [
      reader.customers.create({ email: 'a@mailinator.com' }),
      reader.customerSessions.create({ external_customer_id: 'x' }),
    ]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(PolarClientError);
      expect(error.statusCode).toBe(403);
      expect(JSON.parse(error.error as string)).toEqual({
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
      });
    }
    expect(f.polar.customers).toHaveLength(0);
  });

  it('echoes Polar-Version and sends Cache-Control: private, no-store on every answer', async () => {
    const answers = [
      await api(f.polar, '/v1/customers/'),
      await api(f.polar, '/v1/customers/', { method: 'POST', body: '{}' }),
      await api(f.polar, '/v1/nothing-here'),
      await fetch(`${f.polar.url}/v1/customers/`),
    ];
    for (const response of answers) {
      expect(response.headers.get('polar-version')).toBe('2026-10');
      expect(response.headers.get('cache-control')).toBe('private, no-store');
    }
  });

  it('answers an unsupported Polar-Version with 404 {"detail":"Not Found"} (before auth)', async () => {
    const response = await fetch(`${f.polar.url}/v1/customers/`, { headers: { 'polar-version': '2024-01' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not Found' });
  });

  it('serves requests without a Polar-Version header as 2026-10', async () => {
    const response = await fetch(`${f.polar.url}/v1/customers/`, {
      headers: { authorization: `Bearer ${f.polar.accessToken}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('polar-version')).toBe('2026-10');
  });

  it('answers unknown routes with 404 {"detail":"Not Found"} and a wrong method with 405', async () => {
    const unknown = await api(f.polar, '/v1/checkout-links/');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: 'Not Found' });
    const wrongMethod = await api(f.polar, '/v1/customer-sessions/', { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
  });

  it('answers an unparsable request target with 400, not 500, and keeps serving', async () => {
    const answer = await rawRequest(f.polar, ['GET http://[ HTTP/1.1', 'host: 127.0.0.1']);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).not.toContain('InternalServerError');
    expect((await api(f.polar, '/v1/customers/')).status).toBe(200);
  });

  it('refuses a body over 1 MiB with 413 instead of handling the part that fits', async () => {
    // Valid JSON up to the limit, then padding: cut at 1 MiB it would still parse and create a customer.
    const body = JSON.stringify({ email: 'big@mailinator.com' }) + ' '.repeat(1024 * 1024);
    const response = await api(f.polar, '/v1/customers/', { method: 'POST', body });
    expect(response.status).toBe(413);
    expect(f.polar.customers).toEqual([]);
    expect(f.polar.requests).toMatchObject([{ method: 'POST', path: '/v1/customers/', status: 413, body: undefined }]);
    const fits = await api(f.polar, '/v1/customers/', { method: 'POST', body: body.slice(0, 1024 * 1024) });
    expect(fits.status).toBe(201);
  });

  it('reads a path parameter with a bad percent-escape as Polar does, instead of as an unknown route', async () => {
    const byId = await api(f.polar, '/v1/customers/%E0%A4%ZZ');
    expect(byId.status).toBe(422);
    expect(await byId.json()).toMatchObject({
      detail: [{ type: 'uuid_parsing', loc: ['path', 'id'], input: '\ufffd%ZZ' }],
    });
    const byExternalId = await api(f.polar, '/v1/customers/external/100%25%ZZ');
    expect(byExternalId.status).toBe(404);
    expect(await byExternalId.json()).toEqual({ error: 'ResourceNotFound', detail: 'Not found' });
    f.polar.seedCustomer({ email: 'pct@mailinator.com', external_id: '100%%ZZ' });
    expect((await api(f.polar, '/v1/customers/external/100%25%ZZ')).status).toBe(200);
  });

  it('answers a body nested too deeply to echo with 400, not 500, and still takes a deep but sane one', async () => {
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    for (const body of [
      '['.repeat(100_000) + ']'.repeat(100_000),
      `{"email":"deep@mailinator.com","metadata":${nested(10_000)}}`,
    ]) {
      const response = await api(f.polar, '/v1/customers/', { method: 'POST', body });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ detail: 'There was an error parsing the body' });
    }
    expect(JSON.stringify(f.polar.requests)).toContain('"status":400');
    const sane = await api(f.polar, '/v1/customers/', {
      method: 'POST',
      body: `{"email":"deep@mailinator.com","name":"[[[{{{","metadata":${nested(998)}}`,
    });
    expect(sane.status).toBe(422);
    expect((await sane.json()).detail[0].loc).toEqual(['body', 'metadata', 'a', 'str']);
  });

  it('takes a path starting with // as a path, not as a host', async () => {
    const answer = await rawRequest(f.polar, [
      'GET //elsewhere/v1/customers/ HTTP/1.1',
      'host: 127.0.0.1',
      `authorization: Bearer ${f.polar.accessToken}`,
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer).toContain('{"detail":"Not Found"}');
    expect(f.polar.requests.map((recorded) => recorded.path)).toEqual(['//elsewhere/v1/customers/']);
  });

  it('records method, path, query, body and status, never the Authorization header', async () => {
    await f.sdk.customers.create({ email: 'log@mailinator.com', metadata: { secret_plan: 'x' } });
    await rejectionOf(f.sdk.customers.get('not-a-uuid'));
    await f.sdk.customers.list({ email: 'log@mailinator.com' });
    const [create, get, list] = f.polar.requests;
    expect(create).toMatchObject({
      method: 'POST',
      path: '/v1/customers/',
      status: 201,
      body: { email: 'log@mailinator.com' },
    });
    expect(create.at).toBeInstanceOf(Date);
    expect(get).toMatchObject({ method: 'GET', path: '/v1/customers/not-a-uuid', status: 422, body: undefined });
    expect(list.query).toMatchObject({ email: 'log@mailinator.com', page: '1', limit: '10', sorting: '-created_at' });
    expect(JSON.stringify(f.polar.requests)).not.toContain(f.polar.accessToken);
    f.polar.clearRequests();
    expect(f.polar.requests).toEqual([]);
  });

  it('keeps only the newest maxRecordedRequests requests', async () => {
    const small = await PolarEmulator.start({ maxRecordedRequests: 2 });
    try {
      for (const path of ['/a', '/b', '/c']) await fetch(`${small.url}${path}`);
      expect(small.requests.map((request) => request.path)).toEqual(['/b', '/c']);
    } finally {
      await small.stop();
    }
  });

  it('reset() forgets customers, sessions and requests but keeps tokens', async () => {
    f.polar.addToken('polar_oat_kept', ['customers:read']);
    const customer = f.polar.seedCustomer({ email: 'r@mailinator.com' });
    const session = await f.sdk.customerSessions.create({ customer_id: customer.id });
    f.polar.reset();
    expect(f.polar.customers).toEqual([]);
    expect(f.polar.requests).toEqual([]);
    expect((await fetch(session.customer_portal_url)).status).toBe(401);
    await expect(
      createPolar({ accessToken: 'polar_oat_kept', baseUrl: f.polar.url }).customers.list(),
    ).resolves.toBeDefined();
  });

  it('start() honours a fixed port and stop() frees it', async () => {
    const probe = await PolarEmulator.start();
    const port = Number(new URL(probe.url).port);
    await probe.stop();
    const fixed = await PolarEmulator.start({ port });
    expect(fixed.url).toBe(`http://127.0.0.1:${port}`);
    await fixed.stop();
    await expect(fetch(`http://127.0.0.1:${port}/v1/customers/`)).rejects.toThrow();
  });
});
