import { jest } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { bootstrap, type RunningSample } from '../../sample/bootstrap.js';
import { CHROMIUM_ARGS, findChromium } from './chromium.js';

/** What a browser suite drives: the sample app (with its emulator) and a fresh page per test. */
export interface SampleInChromium {
  readonly sample: RunningSample;
  readonly page: Page;
  /** Signs in through the demo sign-in form and lands on the home page. */
  signIn(email: string, name: string): Promise<void>;
}

/**
 * A suite against the sample app in Chromium (playwright-core): one app and browser per suite, a
 * new context per test. Without Chromium the suite is skipped with a warning, and fails on CI.
 */
export function describeSampleInChromium(title: string, body: (app: SampleInChromium) => void): void {
  const executablePath = findChromium();
  if (!executablePath) {
    const reason =
      'Chromium not found (/usr/bin/chromium or `chromium` on PATH); install it: apt-get install -y chromium';
    if (process.env.CI === 'true') {
      // On CI a missing browser is a broken setup, not a reason to go green.
      it(`${title}: has Chromium to drive`, () => {
        throw new Error(reason);
      });
    } else {
      console.warn(`Skipping "${title}": ${reason}`);
    }
  }
  (executablePath ? describe : describe.skip)(title, () => {
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

    body({
      get sample() {
        return sample;
      },
      get page() {
        return page;
      },
      async signIn(email: string, name: string): Promise<void> {
        await page.goto(sample.url);
        expect(page.url()).toBe(`${sample.url}/sign-in`);
        await expect(page.textContent('body')).resolves.toContain('Demo sign-in');
        await page.fill('#email', email);
        await page.fill('#name', name);
        await Promise.all([page.waitForURL(`${sample.url}/`), page.click('button[type=submit]')]);
      },
    });
  });
}
