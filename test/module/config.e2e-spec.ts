import { ConfigModule, type ConfigType } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { polarConfig } from '../../lib/config/index.js';
import { CustomersService, PolarModule } from '../../lib/index.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { createModuleTestApp } from './module-test-app.js';

const ENV_KEYS = ['POLAR_ACCESS_TOKEN', 'POLAR_ENVIRONMENT', 'POLAR_BASE_URL'] as const;
const TOKEN = 'polar_oat_configtestconfigtestconfigtest';

function moduleFromEnv() {
  return Test.createTestingModule({
    imports: [
      PolarModule.forRootAsync({
        portal: false,
        imports: [ConfigModule.forFeature(polarConfig)],
        inject: [polarConfig.KEY],
        useFactory: (polar: ConfigType<typeof polarConfig>) => polar,
      }),
    ],
  }).compile();
}

describe('@nestjs/config: the polar namespace', () => {
  let polar: PolarEmulator;
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

  beforeAll(async () => {
    polar = await PolarEmulator.start();
  });

  beforeEach(() => {
    for (const key of ENV_KEYS) delete process.env[key];
  });

  afterAll(async () => {
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await polar.stop();
  });

  it('reads POLAR_ACCESS_TOKEN and POLAR_BASE_URL into a working module', async () => {
    process.env.POLAR_ACCESS_TOKEN = polar.accessToken;
    process.env.POLAR_BASE_URL = polar.url;
    const moduleRef = await moduleFromEnv();
    const seeded = polar.seedCustomer({ email: 'env@mailinator.com' });
    await expect(moduleRef.get(CustomersService).get(seeded.id)).resolves.toMatchObject({ id: seeded.id });
    await moduleRef.close();
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['missing POLAR_ACCESS_TOKEN', {}, /POLAR_ACCESS_TOKEN is required/],
    ['empty POLAR_ACCESS_TOKEN', { POLAR_ACCESS_TOKEN: '' }, /POLAR_ACCESS_TOKEN is required/],
    [
      'POLAR_ACCESS_TOKEN with a space',
      { POLAR_ACCESS_TOKEN: `${TOKEN} x` },
      /POLAR_ACCESS_TOKEN must not contain whitespace/,
    ],
    [
      'malformed POLAR_ENVIRONMENT',
      { POLAR_ACCESS_TOKEN: TOKEN, POLAR_ENVIRONMENT: 'live' },
      /POLAR_ENVIRONMENT must be "production" or "sandbox"/,
    ],
    [
      'malformed POLAR_BASE_URL',
      { POLAR_ACCESS_TOKEN: TOKEN, POLAR_BASE_URL: 'api.polar.sh' },
      /POLAR_BASE_URL must be an absolute http\(s\) URL/,
    ],
    ['non-http POLAR_BASE_URL', { POLAR_ACCESS_TOKEN: TOKEN, POLAR_BASE_URL: 'ftp://api.polar.sh' }, /POLAR_BASE_URL/],
  ])('%s stops start-up naming the variable, without its value', async (_name, env, message) => {
    Object.assign(process.env, env);
    const error = await moduleFromEnv().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(TOKEN);
  });
});

describe('PolarExceptionFilter on Fastify', () => {
  it('answers 503 with Retry-After and the JSON body', async () => {
    const polar = await PolarEmulator.start();
    const app = await createModuleTestApp('forRoot', polar, { fastify: true });
    try {
      polar.faults.failNext(1, 429);
      const res = await request(app.getHttpServer()).post('/customers').send({ email: 'f@mailinator.com' }).expect(503);
      expect(res.headers['retry-after']).toBe('60');
      expect(res.body).toMatchObject({ statusCode: 503, code: 'polar_rate_limited' });
      await request(app.getHttpServer()).get('/customers/not-a-uuid').expect(400);
      await request(app.getHttpServer()).post('/customers').send({ email: 'f@mailinator.com' }).expect(201);
    } finally {
      await app.close();
      await polar.stop();
    }
  });
});
