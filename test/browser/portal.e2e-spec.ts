import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningSample } from '../../sample/bootstrap.js';
import { describeSampleInChromium } from './sample-in-chromium.js';

const screenshotPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-artifacts/portal.png');
const sessionRequests = (sample: RunningSample) =>
  sample.emulator!.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customer-sessions/');

describeSampleInChromium('sample app in a real browser (Chromium via playwright-core)', (app) => {
  it('signs in, opens the portal for that user with "Manage billing", and comes back', async () => {
    const email = 'grace.hopper@mailinator.com';
    await app.signIn(email, 'Grace Hopper');
    await expect(app.page.textContent('[data-testid=user-email]')).resolves.toBe(email);
    // The customer was ensured at sign-in, before any billing click.
    expect(app.sample.emulator!.customers.filter((c) => c.email === email)).toHaveLength(1);

    await Promise.all([
      app.page.waitForURL((url) => url.href.startsWith(`${app.sample.emulator!.url}/`)),
      app.page.click('text=Manage billing'),
    ]);
    expect(new URL(app.page.url()).pathname).toBe('/emulator-org/portal');
    expect(
      sessionRequests(app.sample).map((r) => (r.body as { external_customer_id?: string }).external_customer_id),
    ).toEqual([expect.stringMatching(/^user_/)]);
    await expect(app.page.textContent('.email')).resolves.toBe(email);
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await app.page.screenshot({ path: screenshotPath, fullPage: true });

    await Promise.all([app.page.waitForURL(`${app.sample.url}/`), app.page.click('a.return')]);
    await expect(app.page.textContent('[data-testid=user-email]')).resolves.toBe(email);
  });

  it('sends a signed-out "Manage billing" click to the sign-in page, never to the portal', async () => {
    await app.signIn('ada@mailinator.com', 'Ada');
    const before = sessionRequests(app.sample).length;
    // The session ends (cookie expired, signed out in another tab) while the home page is open.
    await app.page.context().clearCookies();

    await Promise.all([app.page.waitForURL(/\/sign-in/), app.page.click('text=Manage billing')]);
    expect(app.page.url()).toBe(`${app.sample.url}/sign-in?reason=signed-out`);
    await expect(app.page.textContent('[role=status]')).resolves.toContain('Please sign in to manage billing');
    expect(sessionRequests(app.sample)).toHaveLength(before);
  });

  it('signs out with the button, after which the portal route also leads to sign-in', async () => {
    await app.signIn('linus@mailinator.com', 'Linus');
    await Promise.all([app.page.waitForURL(`${app.sample.url}/sign-in`), app.page.click('text=Sign out')]);

    await app.page.goto(`${app.sample.url}/billing/portal`);
    expect(app.page.url()).toBe(`${app.sample.url}/sign-in?reason=signed-out`);
    expect(app.page.url().startsWith(app.sample.emulator!.url)).toBe(false);
  });
});
