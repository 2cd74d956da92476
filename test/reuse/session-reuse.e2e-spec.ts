import { createPolar } from '@polar-sh/sdk/2026-10';
import { createCache } from 'cache-manager';
import request from 'supertest';
import { CustomersService } from '../../lib/customers/customers.service.js';
import type { PolarSessionReuseStore } from '../../lib/interfaces/polar-session-reuse-options.interface.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';
import { ADAPTERS, createReuseApp, type ReuseApp, signedIn } from './reuse-test-app.js';

const PORTAL = '/billing/portal';
const MINUTE = 60_000;

let polar: PolarEmulator;
/** Added to the emulator's clock: sessions it makes expire `1 h + skew` from the real now. */
let clockSkewMs = 0;
let current: ReuseApp | undefined;

beforeAll(async () => {
  polar = await PolarEmulator.start({ clock: () => new Date(Date.now() + clockSkewMs), rateLimit: false });
});
afterAll(async () => {
  await polar.stop();
});
beforeEach(() => {
  polar.reset();
  polar.faults.clear();
  clockSkewMs = 0;
});
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const sessionCalls = () => polar.requests.filter((r) => r.method === 'POST' && r.path === '/v1/customer-sessions/');
const tokenOf = (url: string) => new URL(url).searchParams.get('customer_session_token');
const emailOf = (url: string) => new URL(url).searchParams.get('email');

function seedUsers(...ids: string[]): void {
  for (const id of ids) polar.seedCustomer({ external_id: id, email: `${id}@mailinator.com` });
}

async function open(
  app: ReuseApp,
  headers: Record<string, string>,
  query = '',
): Promise<{ url: string; expires_at: string }> {
  const response = await request(app.server)
    .get(PORTAL + query)
    .set(headers);
  expect(response.status).toBe(200);
  return response.body as { url: string; expires_at: string };
}

describe.each(ADAPTERS)('portal session reuse over %s', (adapter) => {
  const start = async (options: Omit<Parameters<typeof createReuseApp>[0], 'adapter' | 'polar'> = {}) => {
    current = await createReuseApp({ adapter, polar, ...options });
    return current;
  };

  it('is off by default: every visit asks Polar for a new session', async () => {
    seedUsers('ann');
    const app = await start();
    const first = await open(app, signedIn('ann'));
    const second = await open(app, signedIn('ann'));
    expect(sessionCalls()).toHaveLength(2);
    expect(tokenOf(second.url)).not.toBe(tokenOf(first.url));
  });

  it('hands a live session out again to the same customer, and makes one per customer', async () => {
    seedUsers('ann', 'bob');
    const app = await start({ sessionReuse: true });
    const ann1 = await open(app, signedIn('ann'));
    const ann2 = await open(app, signedIn('ann'));
    const bob = await open(app, signedIn('bob'));
    const ann3 = await open(app, signedIn('ann'));

    expect(sessionCalls()).toHaveLength(2);
    expect(ann2).toEqual(ann1);
    expect(ann3).toEqual(ann1);
    expect(emailOf(bob.url)).toBe('bob@mailinator.com');
    expect(tokenOf(bob.url)).not.toBe(tokenOf(ann1.url));
  });

  it('is configured the same through forRootAsync', async () => {
    seedUsers('ann');
    const app = await start({ sessionReuse: true, async: true });
    const first = await open(app, signedIn('ann'));
    const second = await open(app, signedIn('ann'));
    expect(sessionCalls()).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it('keys sessions by return URL', async () => {
    seedUsers('ann');
    const app = await start({ sessionReuse: true, portal: { appOrigin: 'https://app.example.com' } });
    const account = await open(app, signedIn('ann'), '?return_url=/account');
    const billing = await open(app, signedIn('ann'), '?return_url=/billing');
    const accountAgain = await open(app, signedIn('ann'), '?return_url=/account');

    expect(sessionCalls().map((r) => (r.body as { return_url?: string }).return_url)).toEqual([
      'https://app.example.com/account',
      'https://app.example.com/billing',
    ]);
    expect(tokenOf(billing.url)).not.toBe(tokenOf(account.url));
    expect(accountAgain).toEqual(account);
  });

  it('keys sessions by member: each team member gets a member session of their own', async () => {
    const teams = await PolarEmulator.start({ memberModel: true, rateLimit: false });
    try {
      const team = teams.seedCustomer({
        type: 'team',
        external_id: 'acme',
        owner: { email: 'owner@mailinator.com', external_id: 'owner' },
      });
      teams.seedMember(team.id, { email: 'dev@mailinator.com', external_id: 'dev' });
      current = await createReuseApp({ adapter, polar: teams, sessionReuse: true });

      const owner = await open(current, signedIn('acme', 'owner'));
      const dev = await open(current, signedIn('acme', 'dev'));
      const devAgain = await open(current, signedIn('acme', 'dev'));

      expect(teams.requests.filter((r) => r.path === '/v1/customer-sessions/')).toHaveLength(2);
      expect(tokenOf(owner.url)).toMatch(/^polar_mst_/);
      expect(tokenOf(dev.url)).not.toBe(tokenOf(owner.url));
      expect(devAgain).toEqual(dev);
    } finally {
      await current?.app.close();
      current = undefined;
      await teams.stop();
    }
  });

  it('stops reusing a session once less than the safety margin is left', async () => {
    seedUsers('ann');
    // Sessions made now expire in 10 minutes: inside the default 15-minute margin.
    clockSkewMs = -50 * MINUTE;
    const app = await start({ sessionReuse: true });
    const first = await open(app, signedIn('ann'));
    const second = await open(app, signedIn('ann'));
    expect(sessionCalls()).toHaveLength(2);
    expect(tokenOf(second.url)).not.toBe(tokenOf(first.url));
  });

  it('reuses a session with 10 minutes left when the margin is 5 minutes', async () => {
    seedUsers('ann');
    clockSkewMs = -50 * MINUTE;
    const app = await start({ sessionReuse: { safetyMarginSeconds: 300 } });
    const first = await open(app, signedIn('ann'));
    const second = await open(app, signedIn('ann'));
    expect(sessionCalls()).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it('makes one call to Polar for concurrent visits of the same customer', async () => {
    seedUsers('ann');
    polar.faults.latency(150, { path: '/v1/customer-sessions/' });
    const app = await start({ sessionReuse: true });
    const links = await Promise.all(Array.from({ length: 12 }, () => open(app, signedIn('ann'))));
    expect(sessionCalls()).toHaveLength(1);
    expect(new Set(links.map((l) => l.url)).size).toBe(1);
  });

  it("never hands one customer's session to another under concurrency", async () => {
    const users = Array.from({ length: 8 }, (_, i) => `user-${i}`);
    seedUsers(...users);
    polar.faults.latency(40, { path: '/v1/customer-sessions/' });
    const app = await start({ sessionReuse: true });
    // Every user opens the portal five times, all interleaved and in flight together.
    const visits = users.flatMap((user) => Array.from({ length: 5 }, () => user));
    visits.sort(() => Math.random() - 0.5);
    const answers = await Promise.all(visits.map(async (user) => ({ user, link: await open(app, signedIn(user)) })));

    const tokensByUser = new Map<string, Set<string | null>>();
    for (const { user, link } of answers) {
      expect(emailOf(link.url)).toBe(`${user}@mailinator.com`);
      tokensByUser.set(user, (tokensByUser.get(user) ?? new Set()).add(tokenOf(link.url)));
    }
    const owners = new Map<string | null, string>();
    for (const [user, tokens] of tokensByUser) {
      expect(tokens.size).toBe(1);
      for (const token of tokens) {
        expect(owners.has(token)).toBe(false);
        owners.set(token, user);
      }
    }
    expect(sessionCalls()).toHaveLength(users.length);
    // Each call to Polar was for the user whose session it became.
    const calledFor = sessionCalls().map((r) => (r.body as { external_customer_id: string }).external_customer_id);
    expect(new Set(calledFor)).toEqual(new Set(users));
  });

  it('drops the sessions of a customer deleted through CustomersService (by external id)', async () => {
    seedUsers('ann');
    const app = await start({ sessionReuse: true });
    const before = await open(app, signedIn('ann'));
    await app.app.get(CustomersService).deleteByExternalId('ann');

    // The external id is free again: the app signs the same user up as a new customer.
    const reborn = polar.seedCustomer({ external_id: 'ann', email: 'ann.new@mailinator.com' });
    const after = await open(app, signedIn('ann'));
    expect(tokenOf(after.url)).not.toBe(tokenOf(before.url));
    expect(emailOf(after.url)).toBe('ann.new@mailinator.com');
    expect(sessionCalls().at(-1)?.body).toEqual({ external_customer_id: 'ann' });
    expect(polar.customers.find((c) => c.external_id === 'ann')?.id).toBe(reborn.id);
  });

  it('drops the sessions of a customer deleted outside the app, when the customer.deleted webhook arrives', async () => {
    seedUsers('ann');
    const app = await start({ sessionReuse: true, webhooks: { secrets: TEST_WEBHOOK_SECRET } });
    await app.app.listen(0, '127.0.0.1');
    const stop = polar.sendWebhooks({ url: `${await app.app.getUrl()}/billing/webhooks`, secret: TEST_WEBHOOK_SECRET });
    try {
      await open(app, signedIn('ann'));
      // Deleted in Polar's dashboard (here: straight through the SDK), not through CustomersService.
      const sdk = createPolar({ accessToken: polar.accessToken, baseUrl: polar.url });
      await sdk.customers.deleteExternal('ann');
      await polar.waitForWebhooks();
      expect(polar.webhookDeliveries.filter((d) => d.type === 'customer.deleted').map((d) => d.status)).toEqual([202]);

      // No stale session from the store: Polar is asked, and it no longer knows the customer.
      const response = await request(app.server).get(PORTAL).set(signedIn('ann'));
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 'polar_portal_unknown_customer' });
      expect(sessionCalls()).toHaveLength(2);
    } finally {
      stop();
    }
  });

  it("drops a session opened by external id when the customer is deleted by Polar's id", async () => {
    seedUsers('ann');
    const customerId = polar.customers.find((c) => c.external_id === 'ann')!.id;
    const app = await start({ sessionReuse: true });
    await open(app, signedIn('ann'));
    await app.app.get(CustomersService).delete(customerId);

    const response = await request(app.server).get(PORTAL).set(signedIn('ann'));
    // Polar no longer knows the customer: no stale session handed out.
    expect(response.status).toBe(404);
    expect(sessionCalls()).toHaveLength(2);
  });

  it('drops a session opened by Polar id when the customer is deleted by external id', async () => {
    seedUsers('ann');
    const customerId = polar.customers.find((c) => c.external_id === 'ann')!.id;
    const app = await start({ sessionReuse: true });
    await open(app, signedIn(`polar:${customerId}`));
    await open(app, signedIn(`polar:${customerId}`));
    expect(sessionCalls()).toHaveLength(1);
    await app.app.get(CustomersService).deleteByExternalId('ann');

    const response = await request(app.server)
      .get(PORTAL)
      .set(signedIn(`polar:${customerId}`));
    expect(response.status).toBe(404);
    expect(sessionCalls()).toHaveLength(2);
  });

  it('takes a store object, e.g. a cache-manager cache', async () => {
    seedUsers('ann');
    const cache = createCache();
    const app = await start({ sessionReuse: { store: cache } });
    const first = await open(app, signedIn('ann'));
    const second = await open(app, signedIn('ann'));
    expect(sessionCalls()).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it('keeps apps of two Polar organizations apart when they share one store', async () => {
    const other = await PolarEmulator.start({ organizationSlug: 'other-org', rateLimit: false });
    let otherApp: ReuseApp | undefined;
    try {
      seedUsers('ann');
      other.seedCustomer({ external_id: 'ann', email: 'ann@mailinator.com' });
      const shared = createCache();
      const app = await start({ sessionReuse: { store: shared } });
      otherApp = await createReuseApp({ adapter, polar: other, sessionReuse: { store: shared } });

      const ours = await open(app, signedIn('ann'));
      const theirs = await open(otherApp, signedIn('ann'));
      expect(emailOf(theirs.url)).toBe('ann@mailinator.com');
      expect(new URL(theirs.url).pathname).toContain('other-org');
      expect(tokenOf(theirs.url)).not.toBe(tokenOf(ours.url));
      expect(other.requests.filter((r) => r.path === '/v1/customer-sessions/')).toHaveLength(1);
    } finally {
      await otherApp?.app.close();
      await other.stop();
    }
  });

  it('keeps the portal working when the store fails, and logs no token', async () => {
    seedUsers('ann');
    const broken: PolarSessionReuseStore = {
      get: async () => {
        throw new Error('store down');
      },
      set: async () => {
        throw new Error('store down');
      },
      del: async () => {
        throw new Error('store down');
      },
    };
    const app = await start({ sessionReuse: { store: broken } });
    const first = await open(app, signedIn('ann'));
    const second = await open(app, signedIn('ann'));
    expect(sessionCalls()).toHaveLength(2);
    const logged = app.logger.text();
    expect(logged).toMatch(/store read failed/);
    for (const link of [first, second]) expect(logged).not.toContain(tokenOf(link.url) as string);
  });

  it('keeps the portal working when the store throws instead of rejecting', async () => {
    seedUsers('ann');
    const fail = (): never => {
      throw new Error('store down');
    };
    const throwing: PolarSessionReuseStore = { get: fail, set: fail, del: fail };
    const app = await start({ sessionReuse: { store: throwing } });
    await open(app, signedIn('ann'));
    await open(app, signedIn('ann'));
    expect(sessionCalls()).toHaveLength(2);
    expect(app.logger.text()).toMatch(/store read failed/);
  });
});

describe('session reuse options are checked at start-up', () => {
  // Every rule is a unit spec (lib/portal/session-reuse/session-reuse.config.spec.ts); this proves they run at start-up.
  it.each([[{ store: 'redis' }, /portal\.sessionReuse\.store/]])(
    '%j stops start-up naming the option',
    async (sessionReuse, message) => {
      await expect(createReuseApp({ adapter: 'express', polar, sessionReuse: sessionReuse as never })).rejects.toThrow(
        message,
      );
    },
  );

  it("store 'cache-manager' without CacheModule stops start-up saying what to import", async () => {
    await expect(
      createReuseApp({ adapter: 'express', polar, sessionReuse: { store: 'cache-manager' } }),
    ).rejects.toThrow(/no CACHE_MANAGER provider was found; import CacheModule/);
  });
});
