import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningSample } from '../../sample/bootstrap.js';
import { describeSampleInChromium } from './sample-in-chromium.js';

const artifacts = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');
const checkoutCreates = (sample: RunningSample) =>
  sample.emulator!.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkouts/');

describeSampleInChromium('buying in the sample app in a real browser (Chromium)', (app) => {
  beforeAll(() => mkdirSync(artifacts, { recursive: true }));

  it('Pricing → Subscribe → the checkout page → Pay → back home with the Pro report unlocked', async () => {
    await app.signIn('katherine.johnson@mailinator.com', 'Katherine Johnson');
    await expect(app.page.getAttribute('[data-testid=pro-report]', 'data-locked')).resolves.toBe('true');

    await Promise.all([app.page.waitForURL(`${app.sample.url}/pricing`), app.page.click('text=Pricing')]);
    await expect(app.page.textContent('[data-plan=pro] .price')).resolves.toBe('$15.00 / month');
    await app.page.screenshot({ path: resolve(artifacts, 'checkout-pricing.png'), fullPage: true });

    await Promise.all([
      app.page.waitForURL((url) => url.href.startsWith(`${app.sample.emulator!.url}/checkout/`)),
      app.page.click('[data-plan=pro] button'),
    ]);
    await expect(app.page.textContent('h1')).resolves.toBe('Checkout — Pro');
    await app.page.screenshot({ path: resolve(artifacts, 'checkout-page.png'), fullPage: true });
    // The checkout was made for this user, by plan: the browser never named a product.
    expect(
      checkoutCreates(app.sample).map((r) => (r.body as { external_customer_id?: string }).external_customer_id),
    ).toEqual([expect.stringMatching(/^user_/)]);

    // Pay → Polar's success_url (the module's success route) → verified → the app's app.page.
    await Promise.all([app.page.waitForURL(`${app.sample.url}/`), app.page.click('button[value=pay]')]);
    await expect(app.page.getAttribute('[data-testid=pro-report]', 'data-locked')).resolves.toBe('false');
    await app.page.screenshot({ path: resolve(artifacts, 'checkout-paid.png'), fullPage: true });

    // Subscribed now: Subscribe again leads to the portal, never to a second checkout.
    await app.page.goto(`${app.sample.url}/pricing`);
    await Promise.all([
      app.page.waitForURL((url) => url.pathname === '/emulator-org/portal'),
      app.page.click('[data-plan=pro] button'),
    ]);
    expect(checkoutCreates(app.sample)).toHaveLength(1);

    // The portal: Cancel subscription (at period end) — still unlocked until the period is over.
    const emulator = app.sample.emulator!;
    await expect(app.page.textContent('[data-subscription] .status')).resolves.toBe('active');
    await app.page.click('text=Cancel subscription');
    await app.page.waitForSelector('[data-subscription] >> text=canceled at period end');
    await expect(app.page.textContent('[data-subscription] .status')).resolves.toBe('canceled at period end');
    await app.page.screenshot({ path: resolve(artifacts, 'checkout-portal-canceled.png'), fullPage: true });
    expect([...emulator.billing.subscriptions].map((s) => s.cancel_at_period_end)).toEqual([true]);
    await app.page.goto(app.sample.url);
    await expect(app.page.getAttribute('[data-testid=pro-report]', 'data-locked')).resolves.toBe('false');
    emulator.billing.advanceTime(32 * 24 * 3600 * 1000);
    await app.page.goto(app.sample.url);
    await expect(app.page.getAttribute('[data-testid=pro-report]', 'data-locked')).resolves.toBe('true');
    await app.page.screenshot({ path: resolve(artifacts, 'checkout-period-ended.png'), fullPage: true });
  });

  it('a signed-out Subscribe lands on the sign-in page and creates no checkout', async () => {
    await app.signIn('dorothy.vaughan@mailinator.com', 'Dorothy Vaughan');
    await app.page.goto(`${app.sample.url}/pricing`);
    const before = checkoutCreates(app.sample).length;
    await app.page.context().clearCookies();
    await Promise.all([app.page.waitForURL(/\/sign-in/), app.page.click('[data-plan=pro] button')]);
    expect(app.page.url()).toBe(`${app.sample.url}/sign-in?reason=signed-out`);
    expect(checkoutCreates(app.sample)).toHaveLength(before);
  });
});
