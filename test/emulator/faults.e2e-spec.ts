import { PolarNetworkError, PolarRateLimitError, PolarServerError } from '@polar-sh/sdk';
import { createPolar } from '@polar-sh/sdk/2026-10';
import { api, rejectionOf, startEmulator, type EmulatorFixture } from './helpers.js';

describe('emulator: fault injection', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator();
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  it('latency delays answers by the given time', async () => {
    f.polar.faults.latency(500);
    const started = performance.now();
    await f.sdk.customers.list();
    expect(performance.now() - started).toBeGreaterThanOrEqual(490);
    f.polar.faults.clear();
    const again = performance.now();
    await f.sdk.customers.list();
    expect(performance.now() - again).toBeLessThan(450);
  });

  it('failNext(n, status) fails exactly the next n requests', async () => {
    f.polar.faults.failNext(2, 503);
    for (let i = 0; i < 2; i++) {
      const error = await rejectionOf(f.sdk.customers.list());
      expect(error).toBeInstanceOf(PolarServerError);
      expect(error.message).toContain('503');
    }
    await expect(f.sdk.customers.list()).resolves.toMatchObject({ items: [] });
    expect(f.polar.requests.map((request) => request.status)).toEqual([503, 503, 200]);
  });

  it('forceStatus holds until cleared with null; 429 comes with an empty body and retry-after', async () => {
    f.polar.faults.forceStatus(500);
    for (let i = 0; i < 3; i++) expect(await rejectionOf(f.sdk.customers.list())).toBeInstanceOf(PolarServerError);
    f.polar.faults.forceStatus(null);
    await expect(f.sdk.customers.list()).resolves.toBeDefined();
    f.polar.faults.forceStatus(429, { times: 1 });
    const raw = await api(f.polar, '/v1/customers/');
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('60');
    expect(await raw.text()).toBe('');
    f.polar.faults.forceStatus(429, { times: 1 });
    expect(await rejectionOf(f.sdk.customers.list())).toBeInstanceOf(PolarRateLimitError);
  });

  it('502 answers with a plain-text gateway body', async () => {
    f.polar.faults.failNext(1, 502);
    const response = await api(f.polar, '/v1/customers/');
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('a forced failure does not run the operation', async () => {
    f.polar.faults.failNext(1, 500);
    await rejectionOf(f.sdk.customers.create({ email: 'never@mailinator.com' }));
    expect(f.polar.customers).toHaveLength(0);
  });

  it('hang never answers: the SDK times out with PolarNetworkError', async () => {
    f.polar.faults.hang({ times: 1 });
    const impatient = createPolar({ accessToken: f.polar.accessToken, baseUrl: f.polar.url, timeout: 0.3 });
    const error = await rejectionOf(impatient.customers.list());
    expect(error).toBeInstanceOf(PolarNetworkError);
    expect(f.polar.requests[0].status).toBe(0);
    await expect(impatient.customers.list()).resolves.toBeDefined();
  });

  it('stop() does not wait for a hung request', async () => {
    const other = await startEmulator();
    other.polar.faults.hang();
    const pending = fetch(`${other.polar.url}/v1/customers/`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await other.polar.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    // fetch rejects with a TypeError from outside jest's VM realm: compare by name.
    expect((await pending) as Error).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('resetConnection drops the TCP connection: PolarNetworkError', async () => {
    f.polar.faults.resetConnection({ times: 1 });
    expect(await rejectionOf(f.sdk.customers.list())).toBeInstanceOf(PolarNetworkError);
    await expect(f.sdk.customers.list()).resolves.toBeDefined();
  });

  it('malformedJson cuts the body short: the SDK throws a SyntaxError', async () => {
    f.polar.faults.malformedJson({ times: 1 });
    const error = await rejectionOf(f.sdk.customers.create({ email: 'm@mailinator.com' }));
    // fetch's JSON parser lives outside jest's VM realm, so compare by name.
    expect(error.name).toBe('SyntaxError');
    // The operation itself ran; only the answer was damaged.
    expect(f.polar.customers).toHaveLength(1);
  });

  it('scopes faults by path prefix or RegExp', async () => {
    f.polar.faults.forceStatus(503, { path: '/v1/customer-sessions/' });
    f.polar.faults.forceStatus(500, { path: /\/state$/ });
    const customer = await f.sdk.customers.create({ email: 'scoped@mailinator.com' });
    expect(await rejectionOf(f.sdk.customerSessions.create({ customer_id: customer.id }))).toBeInstanceOf(
      PolarServerError,
    );
    expect(await rejectionOf(f.sdk.customers.getState(customer.id))).toBeInstanceOf(PolarServerError);
    await expect(f.sdk.customers.get(customer.id)).resolves.toMatchObject({ id: customer.id });
  });

  it('times limits how many requests a fault affects; clear() removes everything', async () => {
    f.polar.faults.latency(1, { times: 1 });
    f.polar.faults.forceStatus(500, { times: 2 });
    f.polar.faults.hang();
    f.polar.faults.clear();
    await expect(f.sdk.customers.list()).resolves.toBeDefined();
    f.polar.faults.forceStatus(500, { times: 2 });
    await rejectionOf(f.sdk.customers.list());
    await rejectionOf(f.sdk.customers.list());
    await expect(f.sdk.customers.list()).resolves.toBeDefined();
  });

  it('rejects nonsense arguments', () => {
    expect(() => f.polar.faults.failNext(0, 500)).toThrow(RangeError);
    expect(() => f.polar.faults.forceStatus(42)).toThrow(RangeError);
    expect(() => f.polar.faults.latency(-1)).toThrow(RangeError);
  });
});
