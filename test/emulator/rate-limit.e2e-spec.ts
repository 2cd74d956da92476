import { PolarRateLimitError } from '@polar-sh/sdk';
import { PolarEmulator } from '../../lib/testing/index.js';
import { api, manualClock, rejectionOf, startEmulator, type EmulatorFixture } from './helpers.js';

describe('emulator: rate limiting', () => {
  const time = manualClock();
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator({ clock: time.clock, rateLimit: { limit: 3, windowSeconds: 30 } });
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  it('answers over-limit requests with 429, an empty body and retry-after = the window', async () => {
    for (let i = 0; i < 3; i++) expect((await api(f.polar, '/v1/customers/')).status).toBe(200);
    const limited = await api(f.polar, '/v1/customers/');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.headers.get('polar-version')).toBe('2026-10');
    expect(await limited.text()).toBe('');
  });

  it('surfaces as PolarRateLimitError with retryAfter in the SDK', async () => {
    for (let i = 0; i < 3; i++) await f.sdk.customers.list();
    const error = await rejectionOf(f.sdk.customers.create({ email: 'late@example.com' }));
    expect(error).toBeInstanceOf(PolarRateLimitError);
    expect(error).toMatchObject({ statusCode: 429, retryAfter: 30 });
    expect(f.polar.customers).toHaveLength(0);
  });

  it('is checked before auth: bad tokens use up the budget and get 429 too', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await api(f.polar, '/v1/customers/', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    }
    expect((await api(f.polar, '/v1/customers/', { headers: { authorization: 'Bearer nope' } })).status).toBe(429);
    expect((await api(f.polar, '/v1/customers/')).status).toBe(429);
  });

  it('uses a fixed window: the budget comes back when the window has passed', async () => {
    for (let i = 0; i < 4; i++) await api(f.polar, '/v1/customers/');
    time.advance(29_000);
    expect((await api(f.polar, '/v1/customers/')).status).toBe(429);
    time.advance(1_000);
    expect((await api(f.polar, '/v1/customers/')).status).toBe(200);
  });

  it('reset() clears the counters', async () => {
    for (let i = 0; i < 4; i++) await api(f.polar, '/v1/customers/');
    f.polar.reset();
    expect((await api(f.polar, '/v1/customers/')).status).toBe(200);
  });
});

describe('emulator: rate-limit defaults', () => {
  async function budget(polar: PolarEmulator, max: number): Promise<number> {
    for (let i = 1; i <= max; i++) {
      if ((await api(polar, '/v1/customers/')).status === 429) return i - 1;
    }
    return max;
  }

  it('sandbox allows 100 requests per minute, production 500, false turns it off', async () => {
    const sandbox = await PolarEmulator.start({ environment: 'sandbox' });
    const production = await PolarEmulator.start();
    const unlimited = await PolarEmulator.start({ rateLimit: false });
    try {
      expect(await budget(sandbox, 150)).toBe(100);
      expect(await budget(production, 520)).toBe(500);
      expect(await budget(unlimited, 600)).toBe(600);
    } finally {
      await Promise.all([sandbox.stop(), production.stop(), unlimited.stop()]);
    }
  }, 30_000); // a harness deadline: 1270 sequential requests outlast jest's 5 s default on a loaded machine

  it('rejects a nonsensical limit at start-up', async () => {
    await expect(PolarEmulator.start({ rateLimit: { limit: 0, windowSeconds: 60 } })).rejects.toThrow(/rateLimit/);
  });
});
