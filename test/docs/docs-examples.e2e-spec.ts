import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { stripVTControlCharacters } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import request from 'supertest';
import { PolarEmulator } from 'nestjs-polar/testing';
import { run } from '../compat/starter-app.js';
import { writeDocsApp } from './docs-examples.js';

/**
 * The docs' examples are run, not only compiled: README's quickstart module is booted on the
 * emulator and driven from sign-up to Polar's portal page, and docs/testing.md's test runs under
 * jest against that same module, both copied from the pages unchanged.
 */
const root = process.cwd();
const app = resolve(root, 'test-artifacts/docs-examples');
const MINUTES = 60_000;
const secret = `whsec_${Buffer.from('docs-examples-webhook-secret').toString('base64')}`;
const ENV = ['POLAR_ACCESS_TOKEN', 'POLAR_BASE_URL', 'POLAR_ENVIRONMENT', 'POLAR_WEBHOOK_SECRET'] as const;

let jestConfig: string;

beforeAll(() => {
  jestConfig = writeDocsApp(root, app);
});

describe("README's quickstart, booted as its main.ts boots it, on the emulator", () => {
  let polar: PolarEmulator;
  let nest: INestApplication;
  let appUrl: string;
  let stopWebhooks: () => void;
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    process.env.POLAR_ACCESS_TOKEN = polar.accessToken;
    process.env.POLAR_BASE_URL = polar.url;
    process.env.POLAR_WEBHOOK_SECRET = secret;
    delete process.env.POLAR_ENVIRONMENT;
    const { AppModule } = (await import(pathToFileURL(resolve(app, 'src/app.module.ts')).href)) as {
      AppModule: new () => unknown;
    };
    nest = await NestFactory.create(AppModule, { rawBody: true, logger: false });
    // Stands in for the app's auth, which the quickstart leaves to the app: it sets request.user.
    nest.use(
      (
        req: { headers: Record<string, string | undefined>; user?: { id: string } },
        _res: unknown,
        next: () => void,
      ) => {
        const id = req.headers['x-signed-in-as'];
        if (id) req.user = { id };
        next();
      },
    );
    await nest.listen(0, '127.0.0.1');
    appUrl = (await nest.getUrl()).replace('[::1]', '127.0.0.1');
    stopWebhooks = polar.sendWebhooks({ url: `${appUrl}/billing/webhooks`, secret });
  }, 2 * MINUTES);

  afterAll(async () => {
    stopWebhooks?.();
    await nest?.close();
    await polar?.stop();
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('creates the customer at sign-up, opens its portal from Manage billing, and handles the signed webhook', async () => {
    const signUp = await request(appUrl)
      .post('/sign-up')
      .send({ id: 'user-1', email: 'ada@mailinator.com' })
      .expect(201);
    const [customer] = polar.customers;
    expect(customer).toEqual(expect.objectContaining({ external_id: 'user-1', email: 'ada@mailinator.com' }));
    expect(signUp.body).toEqual({ customerId: customer.id });

    const portal = await request(appUrl)
      .get('/billing/portal')
      .set('x-signed-in-as', 'user-1')
      .set('Accept', 'text/html')
      .expect(303)
      .expect('Cache-Control', 'no-store');
    const location = String(portal.headers.location);
    expect(location.startsWith(`${polar.url}/`)).toBe(true);
    const page = await fetch(location, { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('ada@mailinator.com');
    expect(html).toContain(`href="${appUrl}/"`); // portal.defaultReturnUrl '/': back to the app's home page

    await polar.waitForWebhooks();
    expect(polar.webhookDeliveries.map((d) => `${d.type} ${d.status}`)).toContain('customer.created 200');
  });

  it('answers Manage billing with 401 when nobody is signed in, and sends nothing to Polar', async () => {
    polar.clearRequests();
    const res = await request(appUrl).get('/billing/portal').set('Accept', 'application/json').expect(401);
    expect(res.body).toEqual(expect.objectContaining({ code: 'polar_portal_unauthenticated' }));
    expect(polar.requests).toEqual([]);
  });

  it('refuses a malformed sign-up with a 400 naming the field, before anything reaches Polar', async () => {
    polar.clearRequests();
    const res = await request(appUrl).post('/sign-up').send({ id: 42, email: 'ada@mailinator.com' }).expect(400);
    expect(res.body).toEqual(expect.objectContaining({ code: 'polar_invalid_input' }));
    expect((res.body.problems as { field: string }[]).map((p) => p.field)).toContain('external_id');
    expect(polar.requests).toEqual([]);
  });

  it('serves the paid feature to subscribers only: 401 signed out, 402 without a subscription, 200 once one is bought', async () => {
    await request(appUrl).get('/reports').set('Accept', 'application/json').expect(401);
    await request(appUrl).post('/sign-up').send({ id: 'user-2', email: 'grace@mailinator.com' }).expect(201);
    const unpaid = await request(appUrl)
      .get('/reports')
      .set('x-signed-in-as', 'user-2')
      .set('Accept', 'application/json');
    expect(unpaid.status).toBe(402);
    expect(unpaid.body).toEqual(expect.objectContaining({ portal_url: expect.any(String) }));

    const product = polar.billing.seedProduct({
      name: 'Pro monthly',
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: 900, price_currency: 'usd' }],
    });
    const customer = polar.customers.find((c) => c.external_id === 'user-2')!;
    polar.billing.seedSubscription({ customer: customer.id, product: product.id });
    await polar.waitForWebhooks(); // the verified webhooks refetch the customer's cached state
    const paid = await request(appUrl).get('/reports').set('x-signed-in-as', 'user-2').expect(200);
    expect(paid.body).toEqual(['Q3 revenue']);
  });
});

describe("docs/testing.md's Testing example", () => {
  it(
    'passes under jest, run as a user runs it, against the quickstart module',
    async () => {
      const { stderr } = await run(
        process.execPath,
        [
          '--experimental-vm-modules',
          resolve(root, 'node_modules/jest/bin/jest.js'),
          '--config',
          jestConfig,
          '--runInBand',
          '--ci',
        ],
        { cwd: app, timeoutMs: 4 * MINUTES },
      );
      expect(stripVTControlCharacters(stderr)).toMatch(/Tests:\s+1 passed, 1 total/);
    },
    5 * MINUTES,
  );
});
