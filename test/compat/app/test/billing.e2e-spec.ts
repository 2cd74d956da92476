import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { PolarEmulator } from 'nestjs-polar/testing';
import { AppModule } from '../src/app.module';
import { BillingEvents } from '../src/billing/billing.events';

const secret = `whsec_${Buffer.from('compat-suite-webhook-secret').toString('base64')}`;

describe('billing (e2e)', () => {
  let polar: PolarEmulator;
  let app: INestApplication;
  let stopWebhooks: () => void;

  beforeAll(async () => {
    polar = await PolarEmulator.start();
    // forRootAsync reads these when the testing module is built, not when app.module is imported.
    process.env.POLAR_ACCESS_TOKEN = polar.accessToken;
    process.env.POLAR_BASE_URL = polar.url;
    process.env.POLAR_WEBHOOK_SECRET = secret;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ rawBody: true });
    await app.listen(0, '127.0.0.1');
    stopWebhooks = polar.sendWebhooks({ url: `${await app.getUrl()}/billing/webhooks`, secret });
  });

  afterAll(async () => {
    stopWebhooks();
    await app.close();
    await polar.stop();
  });

  it('creates the Polar customer on sign-up with ensure()', async () => {
    await request(app.getHttpServer())
      .post('/sign-up')
      .send({ id: 'user-1', email: 'ada@mailinator.com' })
      .expect(201);

    expect(polar.customers).toEqual([expect.objectContaining({ external_id: 'user-1', email: 'ada@mailinator.com' })]);
    expect(polar.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /v1/customers/external/user-1 404',
      'POST /v1/customers/ 201',
    ]);
  });

  it('redirects a signed-in user to the customer portal', async () => {
    const response = await request(app.getHttpServer()).get('/billing/portal').set('x-user-id', 'user-1').expect(303);
    expect(response.headers.location).toMatch(new RegExp(`^${polar.url}/.+customer_session_token=polar_cst_`));
    await request(app.getHttpServer()).get('/billing/portal').expect(401);
  });

  it('runs the @OnPolarEvent handler for a signed customer.created delivery', async () => {
    await polar.waitForWebhooks();
    expect(polar.webhookDeliveries).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'customer.created', status: 200 })]),
    );
    expect(app.get(BillingEvents).received).toEqual(['customer.created signed']);
  });
});
