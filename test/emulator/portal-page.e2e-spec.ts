import { startEmulator, type EmulatorFixture } from './helpers.js';

describe('emulator: customer portal page', () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator({ organizationSlug: 'my-shop', rateLimit: { limit: 1, windowSeconds: 60 } });
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  it('shows the customer email and a link back to return_url, HTML-escaped', async () => {
    const customer = f.polar.seedCustomer({ email: "o'brien<b>@mailinator.com" });
    const session = await f.sdk.customerSessions.create({
      customer_id: customer.id,
      return_url: 'https://app.example.com/back?a=1&b="2"',
    });
    const response = await fetch(session.customer_portal_url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const html = await response.text();
    expect(html).toContain('o&#39;brien&lt;b&gt;@mailinator.com');
    expect(html).not.toContain('<b>@');
    expect(html).toContain('<a class="return" href="https://app.example.com/back?a=1&amp;b=%222%22">');

    const logged = f.polar.requests.at(-1)!;
    expect(logged).toMatchObject({ method: 'GET', path: '/my-shop/portal', status: 200 });
    expect(logged.query.customer_session_token).toBe('polar_cst_[redacted]');
    expect(JSON.stringify(f.polar.requests)).not.toContain(session.token);
  });

  it('has no return link when the session has no return_url', async () => {
    const customer = f.polar.seedCustomer({ email: 'plain@mailinator.com' });
    const session = await f.sdk.customerSessions.create({ customer_id: customer.id });
    const html = await (await fetch(session.customer_portal_url)).text();
    expect(html).toContain('plain@mailinator.com');
    expect(html).not.toContain('<a ');
  });

  it('answers an unknown or missing token with an HTML error page', async () => {
    for (const query of ['?customer_session_token=polar_cst_doesnotexist&email=x%40mailinator.com', '']) {
      const response = await fetch(`${f.polar.url}/my-shop/portal${query}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toMatch(/expired or is invalid|Missing/);
      expect(html).not.toContain('polar_cst_doesnotexist');
    }
  });

  it('needs no API token, Polar-Version or rate-limit budget', async () => {
    const customer = f.polar.seedCustomer({ email: 'free@mailinator.com' });
    const session = await f.sdk.customerSessions.create({ customer_id: customer.id });
    for (let i = 0; i < 3; i++) expect((await fetch(session.customer_portal_url)).status).toBe(200);
  });

  it('is only served under the organization slug', async () => {
    const response = await fetch(`${f.polar.url}/other-shop/portal?customer_session_token=polar_cst_x`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not Found' });
  });
});
