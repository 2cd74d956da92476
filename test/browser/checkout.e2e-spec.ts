import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { bootstrap, type RunningSample } from '../../sample/bootstrap.js';
import { CHROMIUM_ARGS, findChromium } from './chromium.js';

const executablePath = findChromium();
const artifacts = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');
const checkoutCreates = (sample: RunningSample) =>
  sample.emulator!.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkouts/');

if (!executablePath) {
  const reason =
    'Chromium not found (/usr/bin/chromium or `chromium` on PATH); install it: apt-get install -y chromium';
  if (process.env.CI === 'true') {
    it('has Chromium to drive', () => {
      throw new Error(reason);
    });
  } else {
    console.warn(`Skipping the browser checkout test: ${reason}`);
  }
}

(executablePath ? describe : describe.skip)('buying in the sample app in a real browser (Chromium)', () => {
  jest.setTimeout(60_000);

  let sample: RunningSample;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    sample = await bootstrap({ port: 0, useEmulator: true, logger: false });
    browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS });
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await sample?.close();
  });
  beforeEach(async () => {
    page = await (await browser.newContext()).newPage();
  });
  afterEach(async () => {
    await page.context().close();
  });

  const signIn = async (email: string, name: string): Promise<void> => {
    await page.goto(`${sample.url}/sign-in`);
    await page.fill('#email', email);
    await page.fill('#name', name);
    await Promise.all([page.waitForURL(`${sample.url}/`), page.click('button[type=submit]')]);
  };

  it('Pricing → Subscribe → the checkout page → Pay → back home with the Pro report unlocked', async () => {
    await signIn('katherine.johnson@mailinator.com', 'Katherine Johnson');
    await expect(page.getAttribute('[data-testid=pro-report]', 'data-locked')).resolves.toBe('true');

    await Promise.all([page.waitForURL(`${sample.url}/pricing`), page.click('text=Pricing')]);
    await expect(page.textContent('[data-plan=pro] .price')).resolves.toBe('$15.00 / month');
    await page.screenshot({ path: resolve(artifacts, 'checkout-pricing.png'), fullPage: true });

    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(`${sample.emulator!.url}/checkout/`)),
      page.click('[data-plan=pro] button'),
    ]);
    await expect(page.textContent('h1')).resolves.toBe('Checkout — Pro');
    await page.screenshot({ path: resolve(artifacts, 'checkout-page.png'), fullPage: true });
    // The checkout was made for this user, by plan: the browser never named a product.
    expect(
      checkoutCreates(sample).map((r) => (r.body as { external_customer_id?: string }).external_customer_id),
    ).toEqual([expect.stringMatching(/^user_/)]);

    // Pay → Polar's success_url (the module's success route) → verified → the app's page.
    await Promise.all([page.waitForURL(`${sample.url}/`), page.click('button[value=pay]')]);
    await expect(page.getAttribute('[data-testid=pro-report]', 'data-locked')).resolves.toBe('false');
    await page.screenshot({ path: resolve(artifacts, 'checkout-paid.png'), fullPage: true });

    // Subscribed now: Subscribe again leads to the portal, never to a second checkout.
    await page.goto(`${sample.url}/pricing`);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/emulator-org/portal'),
      page.click('[data-plan=pro] button'),
    ]);
    expect(checkoutCreates(sample)).toHaveLength(1);
  });

  it('a signed-out Subscribe lands on the sign-in page and creates no checkout', async () => {
    await signIn('dorothy.vaughan@mailinator.com', 'Dorothy Vaughan');
    await page.goto(`${sample.url}/pricing`);
    const before = checkoutCreates(sample).length;
    await page.context().clearCookies();
    await Promise.all([page.waitForURL(/\/sign-in/), page.click('[data-plan=pro] button')]);
    expect(page.url()).toBe(`${sample.url}/sign-in?reason=signed-out`);
    expect(checkoutCreates(sample)).toHaveLength(before);
  });
});
