import { createHmac, randomBytes } from 'node:crypto';
import { webhooks } from '@polar-sh/sdk/2026-10';
import { startEmulator, startReceiver, type EmulatorFixture, type Received } from './helpers.js';

function headersOf(delivery: Received): Record<string, string> {
  return Object.fromEntries(Object.entries(delivery.headers).map(([key, value]) => [key, String(value)]));
}

describe('emulator: webhook deliveries', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let f: EmulatorFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stopSending: () => void;

  beforeAll(async () => {
    f = await startEmulator();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await f.polar.stop();
    await receiver.close();
  });
  beforeEach(() => {
    f.polar.reset();
    receiver.received.length = 0;
    receiver.statuses.length = 0;
    stopSending = f.polar.sendWebhooks({ url: receiver.url, secret, retryDelayMs: 10 });
  });
  afterEach(() => stopSending());

  it('sends customer.created and customer.state_changed, verifiable with the SDK', async () => {
    const customer = await f.sdk.customers.create({ email: 'hook@mailinator.com', external_id: 'h-1' });
    await f.polar.waitForWebhooks();
    expect(receiver.received).toHaveLength(2);
    const events = [];
    for (const delivery of receiver.received) {
      expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(delivery.headers['webhook-id']).toMatch(/^msg_/);
      events.push(await webhooks.validateEvent(delivery.body, headersOf(delivery), secret));
    }
    expect(events.map((event) => event.type)).toEqual(['customer.created', 'customer.state_changed']);
    expect(events[0].data).toEqual(customer);
    expect(events[1].data).toMatchObject({
      id: customer.id,
      active_subscriptions: [],
      granted_benefits: [],
      active_meters: [],
    });
  });

  it('sends customer.updated and customer.deleted', async () => {
    const customer = await f.sdk.customers.create({ email: 'life@mailinator.com' });
    await f.sdk.customers.update(customer.id, { name: 'Renamed' });
    await f.sdk.customers.delete(customer.id);
    await f.polar.waitForWebhooks();
    const types = [];
    for (const delivery of receiver.received)
      types.push((await webhooks.validateEvent(delivery.body, headersOf(delivery), secret)).type);
    expect(types).toEqual(expect.arrayContaining(['customer.updated', 'customer.deleted']));
    expect(types.filter((type) => type === 'customer.deleted')).toHaveLength(1);
  });

  it('signs with the base64-decoded secret: another secret fails verification', async () => {
    await f.sdk.customers.create({ email: 'forged@mailinator.com' });
    await f.polar.waitForWebhooks();
    const [delivery] = receiver.received;
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const content = `${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`;
    expect(delivery.headers['webhook-signature']).toBe(
      `v1,${createHmac('sha256', key).update(content).digest('base64')}`,
    );
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    await expect(
      webhooks.validateEvent(receiver.received[0].body, headersOf(receiver.received[0]), other),
    ).rejects.toThrow(/signature/i);
  });

  it('retries a delivery that did not get a 2xx, with the same webhook-id', async () => {
    receiver.statuses.push(500, 503);
    f.polar.emitWebhook('order.paid', { id: 'ord_1' });
    await f.polar.waitForWebhooks();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);
    expect(f.polar.webhookDeliveries.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 202],
    ]);
    const event = await webhooks.validateEvent(receiver.received[2].body, headersOf(receiver.received[2]), secret);
    expect(event).toMatchObject({ type: 'order.paid', data: { id: 'ord_1' } });
  });

  it('keeps only the newest maxRecordedRequests delivery attempts', async () => {
    const small = await startEmulator({ maxRecordedRequests: 2 });
    const stop = small.polar.sendWebhooks({ url: receiver.url, secret });
    try {
      for (const id of ['ord_1', 'ord_2', 'ord_3']) small.polar.emitWebhook('order.paid', { id });
      await small.polar.waitForWebhooks();
      expect(receiver.received).toHaveLength(3);
      expect(small.polar.webhookDeliveries.map((delivery) => JSON.parse(delivery.body).data.id)).toEqual([
        'ord_2',
        'ord_3',
      ]);
    } finally {
      stop();
      await small.polar.stop();
    }
  });

  it('stops delivering after the returned function is called', async () => {
    stopSending();
    await f.sdk.customers.create({ email: 'quiet@mailinator.com' });
    await f.polar.waitForWebhooks();
    expect(receiver.received).toHaveLength(0);
  });

  it('sends member.created, member.updated and member.deleted for member endpoints', async () => {
    const teams = await startEmulator({ memberModel: true });
    const stop = teams.polar.sendWebhooks({ url: receiver.url, secret });
    try {
      const team = await teams.sdk.customers.create({ type: 'team', email: 'team@mailinator.com' });
      const member = await teams.sdk.customers.members.create(team.id, { email: 'm@mailinator.com' });
      await teams.sdk.customers.members.update(team.id, member.id, { name: 'M' });
      await teams.sdk.customers.members.delete(team.id, member.id);
      await teams.polar.waitForWebhooks();
      const events = [];
      for (const delivery of receiver.received)
        events.push(await webhooks.validateEvent(delivery.body, headersOf(delivery), secret));
      const memberEvents = events.filter((event) => event.type.startsWith('member.'));
      // The first member.created is the owner's, sent while the team customer is created.
      expect(memberEvents.map((event) => event.type)).toEqual([
        'member.created',
        'member.created',
        'member.updated',
        'member.deleted',
      ]);
      expect(memberEvents[0].data).toMatchObject({ email: 'team@mailinator.com', role: 'owner' });
      expect(memberEvents[1].data).toEqual(member);
    } finally {
      stop();
      await teams.polar.stop();
    }
  });

  it('seeding is silent', async () => {
    f.polar.seedCustomer({ email: 'seeded@mailinator.com' });
    await f.polar.waitForWebhooks();
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a target without a secret', () => {
    expect(() => f.polar.sendWebhooks({ url: receiver.url, secret: '' })).toThrow(/secret/);
  });
});
