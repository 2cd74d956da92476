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

describe("emulator: the portal page's Cancel subscription button", () => {
  let f: EmulatorFixture;

  beforeAll(async () => {
    f = await startEmulator();
  });
  afterAll(() => f.polar.stop());
  beforeEach(() => f.polar.reset());

  async function subscribedPortal() {
    const customer = f.polar.seedCustomer({ email: 'sub@mailinator.com' });
    const product = f.polar.billing.seedProduct({
      name: 'Pro',
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: 900 }],
    });
    const subscription = f.polar.billing.seedSubscription({ customer: customer.id, product: product.id });
    const session = await f.sdk.customerSessions.create({ customer_id: customer.id });
    return { customer, subscription, session };
  }

  const cancel = (url: string, subscriptionId: string, token: string | null) =>
    fetch(`${new URL(url).origin}${new URL(url).pathname}/subscriptions/${subscriptionId}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: token === null ? '' : new URLSearchParams({ customer_session_token: token }).toString(),
      redirect: 'manual',
    });

  it('lists the subscription and cancels it at period end as PATCH does, then shows the portal again', async () => {
    const { subscription, session } = await subscribedPortal();
    const before = await (await fetch(session.customer_portal_url)).text();
    expect(before).toContain(`data-subscription="${subscription.id}"`);
    expect(before).toContain('Cancel subscription');

    const answer = await cancel(session.customer_portal_url, String(subscription.id), session.token);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(
      `${new URL(session.customer_portal_url).pathname}?customer_session_token=${session.token}`,
    );
    const [stored] = f.polar.billing.subscriptions;
    expect(stored).toMatchObject({ cancel_at_period_end: true, status: 'active' });
    expect(stored!.ends_at).toBe(stored!.current_period_end);
    const after = await (await fetch(session.customer_portal_url)).text();
    expect(after).toContain('canceled at period end');
    expect(after).not.toContain('Cancel subscription');
  });

  it("refuses without a valid session (401) and for another customer's subscription (404), changing nothing", async () => {
    const { subscription, session } = await subscribedPortal();
    const other = f.polar.seedCustomer({ email: 'other@mailinator.com' });
    const otherSession = await f.sdk.customerSessions.create({ customer_id: other.id });
    expect((await cancel(session.customer_portal_url, String(subscription.id), null)).status).toBe(401);
    expect((await cancel(session.customer_portal_url, String(subscription.id), 'polar_cst_forged')).status).toBe(401);
    expect((await cancel(session.customer_portal_url, String(subscription.id), otherSession.token)).status).toBe(404);
    expect(f.polar.billing.subscriptions.map((s) => s.cancel_at_period_end)).toEqual([false]);
  });
});
