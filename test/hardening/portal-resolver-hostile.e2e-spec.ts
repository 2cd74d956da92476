import request from 'supertest';
import type { PolarPortalCustomer } from '../../lib/interfaces/polar-customer-resolver.interface.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { ADAPTERS, createPortalApp, type PortalApp } from '../portal/portal-test-app.js';

const UNDESCRIBABLE = {
  toString(): string {
    throw new Error('toString throws too');
  },
};

/** App code that fails in the ways a review found reaching Nest's generic 500. */
const HOSTILE: Record<string, () => unknown> = {
  'a value whose getter throws': () => ({
    get externalCustomerId(): string {
      throw new Error('getter throws');
    },
  }),
  'a thrown value whose toString() throws': () => {
    throw UNDESCRIBABLE;
  },
  'a thrown Proxy whose every trap throws': () => {
    throw new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
        getPrototypeOf: () => {
          throw new Error('trap');
        },
      },
    );
  },
  'a value that is a Proxy whose traps throw': () =>
    new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    ),
  'an external id with a lone surrogate': () => ({ externalCustomerId: 'user-\uD800' }),
};

function resolver(request: { headers: Record<string, unknown> }): PolarPortalCustomer | null {
  const hostile = HOSTILE[String(request.headers['x-case'])];
  return hostile ? (hostile() as PolarPortalCustomer) : null;
}

let polar: PolarEmulator;
beforeAll(async () => {
  polar = await PolarEmulator.start({ rateLimit: false });
});
afterAll(async () => {
  await polar.stop();
});

describe.each(ADAPTERS)('a hostile portal resolver over %s', (adapter) => {
  let app: PortalApp;
  beforeAll(async () => {
    app = await createPortalApp({
      adapter,
      polar,
      session: false,
      portal: { customer: resolver, respondWith: 'json' },
    });
  });
  afterAll(async () => {
    await app.app.close();
  });
  beforeEach(() => polar.reset());

  it.each(Object.keys(HOSTILE))('%s → 500 polar_portal_resolver_failed, nothing sent', async (name) => {
    app.logger.lines.length = 0;
    const response = await request(app.server).get('/billing/portal').set('x-case', name);
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ statusCode: 500, code: 'polar_portal_resolver_failed' });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(polar.requests).toEqual([]);
  });
});
