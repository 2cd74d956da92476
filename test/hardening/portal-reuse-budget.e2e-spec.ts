import request from 'supertest';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, createReuseApp, type ReuseApp, signedIn } from '../reuse/reuse-test-app.js';

const PORTAL = '/billing/portal';
/** The organization's limit in this test: what one user spent in the review (70 clicks > 60/min). */
const ORG_LIMIT = { limit: 60, windowSeconds: 60 };

let polar: PolarEmulator;
let current: ReuseApp | undefined;

beforeAll(async () => {
  polar = await PolarEmulator.start({ rateLimit: ORG_LIMIT });
});
afterAll(async () => {
  await polar.stop();
});
beforeEach(() => {
  polar.reset();
});
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const sessionCalls = () => polar.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customer-sessions/');
const sentReturnUrls = () => sessionCalls().map((r) => (r.body as { return_url?: string }).return_url);
const open = (app: ReuseApp, user: string, query = '') =>
  request(app.server)
    .get(PORTAL + query)
    .set(signedIn(user));

describe.each(ADAPTERS)('one signed-in user cannot spend the organization rate limit, over %s', (adapter) => {
  const start = async (sessionReuse: Parameters<typeof createReuseApp>[0]['sessionReuse']) => {
    current = await createReuseApp({
      adapter,
      polar,
      sessionReuse,
      portal: { appOrigin: 'https://app.example' },
    });
    return current;
  };

  it('70 clicks with distinct return URLs, in a row and at once, cost at most the budget; the next user is served', async () => {
    polar.seedCustomer({ external_id: 'mallory', email: 'mallory@mailinator.com' });
    polar.seedCustomer({ external_id: 'ann', email: 'ann@mailinator.com' });
    const app = await start(true);

    for (let i = 0; i < 35; i++) {
      const response = await open(app, 'mallory', `?return_url=%2Fpage-${i}`);
      expect(response.status).toBe(200);
    }
    const burst = await Promise.all(
      Array.from({ length: 35 }, (_, i) => open(app, 'mallory', `?return_url=%2Fburst-${i}`)),
    );
    expect(burst.map((response) => response.status)).toEqual(Array(35).fill(200));

    // The default budget: three sessions for three return URLs; every other click reuses the latest.
    expect(sentReturnUrls()).toEqual([
      'https://app.example/page-0',
      'https://app.example/page-1',
      'https://app.example/page-2',
    ]);
    const urls = new Set(burst.map((response) => (response.body as { url: string }).url));
    expect(urls.size).toBe(1);

    // Another customer is not affected by what mallory did.
    const ann = await open(app, 'ann', '?return_url=%2Faccount');
    expect(ann.status).toBe(200);
    expect(sessionCalls()).toHaveLength(4);
  });

  it('the budget is per customer, and a return URL already used is still reused exactly', async () => {
    polar.seedCustomer({ external_id: 'ann', email: 'ann@mailinator.com' });
    const app = await start({ maxSessionsPerCustomer: 2 });
    const a = await open(app, 'ann', '?return_url=%2Fa');
    const b = await open(app, 'ann', '?return_url=%2Fb');
    const c = await open(app, 'ann', '?return_url=%2Fc');
    const a2 = await open(app, 'ann', '?return_url=%2Fa');
    expect(sessionCalls()).toHaveLength(2);
    expect(c.body).toEqual(b.body);
    expect(a2.body).toEqual(a.body);
  });

  it('the Host header cannot buy sessions either when the default path resolves per request', async () => {
    polar.seedCustomer({ external_id: 'mallory', email: 'mallory@mailinator.com' });
    current = await createReuseApp({ adapter, polar, sessionReuse: true, portal: { defaultReturnUrl: '/account' } });
    for (let i = 0; i < 10; i++) {
      const response = await request(current.server).get(PORTAL).set(signedIn('mallory')).set('host', `h${i}.example`);
      expect(response.status).toBe(200);
    }
    expect(sessionCalls()).toHaveLength(3);
  });

  it('with reuse off, every click is one call, whatever the return URL (the README bound)', async () => {
    polar.seedCustomer({ external_id: 'ann', email: 'ann@mailinator.com' });
    const app = await start(false);
    for (let i = 0; i < 5; i++) expect((await open(app, 'ann', `?return_url=%2Fp${i}`)).status).toBe(200);
    expect(sessionCalls()).toHaveLength(5);
  });
});
