import { Body, Controller, type INestApplication, Param, Post } from '@nestjs/common';
import request from 'supertest';
import { CustomersService } from '../../lib/customers/customers.service.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, type AdapterName, polarTestApp } from '../support/polar-app.js';

/**
 * An app that hands its parsed JSON bodies to CustomersService, as the README's examples do; `shape`
 * wraps the body the way app code sometimes does (a getter-free view, a class with toJSON, a Proxy).
 */
@Controller('app')
class AppCustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post('customers/:shape')
  create(@Param('shape') shape: string, @Body() body: Record<string, unknown>): Promise<unknown> {
    return this.customers.create(reshape(shape, body) as never);
  }

  @Post('search')
  search(@Body() body: Record<string, unknown>): Promise<unknown> {
    return this.customers.list(body as never);
  }

  @Post('lookup')
  lookup(@Body() body: { external_id: string }): Promise<unknown> {
    return this.customers.getByExternalId(body.external_id);
  }
}

function reshape(shape: string, body: Record<string, unknown>): unknown {
  if (shape === 'to-json') {
    // A class whose toJSON() would send something else than its fields.
    return Object.assign(Object.create({ toJSON: () => ({ ...body, name: 'x'.repeat(300) }) }) as object, body);
  }
  if (shape === 'proxy') {
    // A Proxy that answers validly while being checked, then something else when serialised.
    let reads = 0;
    return new Proxy(body, {
      get: (target, key) => (key === 'name' && reads++ > 2 ? 'x'.repeat(300) : Reflect.get(target, key)),
    });
  }
  return body;
}

let polar: PolarEmulator;
beforeAll(async () => {
  polar = await PolarEmulator.start({ rateLimit: false });
});
afterAll(async () => {
  await polar.stop();
});
beforeEach(() => polar.reset());

const customerWrites = () => polar.requests.filter((r) => r.path.startsWith('/v1/customers'));

describe.each(ADAPTERS)('what was validated is what is sent, over %s', (adapter: AdapterName) => {
  let app: INestApplication;
  let server: ReturnType<INestApplication['getHttpServer']>;

  beforeAll(async () => {
    ({ app, server } = await polarTestApp()
      .on(adapter)
      .api(polar)
      .options({ timeoutMs: 3000, readRetries: 0 })
      .controllers(AppCustomersController)
      .start());
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'a body with a key named %s is a 400 and reaches Polar not at all',
    async (key) => {
      const raw = `{"email":"ann@mailinator.com",${JSON.stringify(key)}:{"admin":true}}`;
      const response = await request(server)
        .post('/app/customers/plain')
        .set('content-type', 'application/json')
        .send(raw);
      expect(response.status).toBe(400);
      // Express parses the key and the module names it; Fastify's parser refuses __proto__/constructor itself.
      if (response.body.code === 'polar_invalid_input') {
        expect(response.body.problems).toContainEqual(
          expect.objectContaining({ field: key, rule: 'whitelistValidation' }),
        );
      }
      expect(customerWrites()).toEqual([]);
    },
  );

  it('metadata hidden behind __proto__ is checked: a 400 and nothing sent', async () => {
    const raw = '{"email":"ann@mailinator.com","metadata":{"plan":"pro","__proto__":{"nested":{"x":1}}}}';
    const response = await request(server)
      .post('/app/customers/plain')
      .set('content-type', 'application/json')
      .send(raw);
    expect(response.status).toBe(400);
    expect(customerWrites()).toEqual([]);
  });

  it('metadata keys named constructor / toString are sent to Polar as given (no TypeError, no loss)', async () => {
    const metadata = { constructor: 'c', toString: 't', plan: 'pro' };
    const response = await request(server).post('/app/customers/plain').send({ email: 'ann@mailinator.com', metadata });
    if (adapter === 'fastify' && response.status === 400 && response.body.code !== 'polar_invalid_input') {
      // Fastify's JSON parser refuses a "constructor" key before the app sees it: nothing is sent either.
      expect(customerWrites()).toEqual([]);
      return;
    }
    expect(response.status).toBe(201);
    expect(response.body.metadata).toEqual(metadata);
    expect(customerWrites().map((r) => r.body)).toEqual([{ email: 'ann@mailinator.com', metadata }]);
  });

  it.each(['to-json', 'proxy'])('a %s body sends exactly the fields that were validated', async (shape) => {
    const response = await request(server)
      .post(`/app/customers/${shape}`)
      .send({ email: 'ann@mailinator.com', name: 'Ann' });
    expect(response.status).toBe(201);
    expect(customerWrites().map((r) => r.body)).toEqual([{ email: 'ann@mailinator.com', name: 'Ann' }]);
  });

  it('an external id with a lone surrogate is a 400 naming the field, and nothing is sent', async () => {
    const response = await request(server)
      .post('/app/lookup')
      .set('content-type', 'application/json')
      .send('{"external_id":"user-\\ud800"}');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'polar_invalid_input' });
    expect(response.body.problems).toContainEqual(
      expect.objectContaining({ field: 'externalId', rule: 'isWellFormedUnicode' }),
    );
    expect(customerWrites()).toEqual([]);
  });

  it('a non-scalar list() metadata filter is a 400, never metadata[plan]=[object Object]', async () => {
    const response = await request(server)
      .post('/app/search')
      .send({ metadata: { plan: { tier: 'pro' } } });
    expect(response.status).toBe(400);
    expect(response.body.problems).toContainEqual(
      expect.objectContaining({ field: 'metadata', rule: 'isPolarMetadataFilter' }),
    );
    expect(customerWrites()).toEqual([]);
    const ok = await request(server)
      .post('/app/search')
      .send({ metadata: { plan: 'pro' } });
    expect(ok.status).toBe(201);
    expect(customerWrites().map((r) => r.query)).toEqual([expect.objectContaining({ 'metadata[plan]': 'pro' })]);
  });
});
