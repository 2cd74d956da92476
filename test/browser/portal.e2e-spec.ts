import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { bootstrap, type RunningSample } from '../../sample/bootstrap.js';
import { CHROMIUM_ARGS, findChromium } from './chromium.js';

const executablePath = findChromium();
const screenshotPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-artifacts/portal.png');
const sessionRequests = (sample: RunningSample) =>
  sample.emulator!.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customer-sessions/');

if (!executablePath) {
  const reason =
    'Chromium not found (/usr/bin/chromium or `chromium` on PATH); install it: apt-get install -y chromium';
  if (process.env.CI === 'true') {
    // On CI a missing browser is a broken setup, not a reason to go green.
    it('has Chromium to drive', () => {
      throw new Error(reason);
    });
  } else {
    console.warn(`Skipping the browser test: ${reason}`);
  }
}

(executablePath ? describe : describe.skip)('sample app in a real browser (Chromium via playwright-core)', () => {
  jest.setTimeout(60_000);

  let sample: RunningSample;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    sample = await bootstrap({ port: 0, useEmulator: true, logger: false });
    browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS });
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
    await page.goto(sample.url);
    expect(page.url()).toBe(`${sample.url}/sign-in`);
    await expect(page.textContent('body')).resolves.toContain('Demo sign-in');
    await page.fill('#email', email);
    await page.fill('#name', name);
    await Promise.all([page.waitForURL(`${sample.url}/`), page.click('button[type=submit]')]);
  };

  it('signs in, opens the portal for that user with "Manage billing", and comes back', async () => {
    const email = 'grace.hopper@mailinator.com';
    await signIn(email, 'Grace Hopper');
    await expect(page.textContent('[data-testid=user-email]')).resolves.toBe(email);
    // The customer was ensured at sign-in, before any billing click.
    expect(sample.emulator!.customers.filter((c) => c.email === email)).toHaveLength(1);

    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(`${sample.emulator!.url}/`)),
      page.click('text=Manage billing'),
    ]);
    expect(new URL(page.url()).pathname).toBe('/emulator-org/portal');
    expect(
      sessionRequests(sample).map((r) => (r.body as { external_customer_id?: string }).external_customer_id),
    ).toEqual([expect.stringMatching(/^user_/)]);
    await expect(page.textContent('.email')).resolves.toBe(email);
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });

    await Promise.all([page.waitForURL(`${sample.url}/`), page.click('a.return')]);
    await expect(page.textContent('[data-testid=user-email]')).resolves.toBe(email);
  });

  it('sends a signed-out "Manage billing" click to the sign-in page, never to the portal', async () => {
    await signIn('ada@mailinator.com', 'Ada');
    const before = sessionRequests(sample).length;
    // The session ends (cookie expired, signed out in another tab) while the home page is open.
    await page.context().clearCookies();

    await Promise.all([page.waitForURL(/\/sign-in/), page.click('text=Manage billing')]);
    expect(page.url()).toBe(`${sample.url}/sign-in?reason=signed-out`);
    await expect(page.textContent('[role=status]')).resolves.toContain('Please sign in to manage billing');
    expect(sessionRequests(sample)).toHaveLength(before);
  });

  it('signs out with the button, after which the portal route also leads to sign-in', async () => {
    await signIn('linus@mailinator.com', 'Linus');
    await Promise.all([page.waitForURL(`${sample.url}/sign-in`), page.click('text=Sign out')]);

    await page.goto(`${sample.url}/billing/portal`);
    expect(page.url()).toBe(`${sample.url}/sign-in?reason=signed-out`);
    expect(page.url().startsWith(sample.emulator!.url)).toBe(false);
  });
});
