import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PolarEmulator } from '../../lib/testing/index.js';

/** The event types a webhook contender is loaded with: what a renewal or sign-up burst is made of. */
export const BENCH_WEBHOOK_TYPES = [
  'order.created',
  'order.paid',
  'order.updated',
  'subscription.created',
  'subscription.active',
  'subscription.updated',
] as const;

/**
 * Realistic webhook bodies: the exact bytes the emulator sends (2026-10 shapes, as Polar renders
 * them) for sign-ups to a monthly plan with a benefit and to a one-time product, then a month's
 * renewals. Collected once per bench run by a local receiver; the load signs them afresh.
 */
export async function realisticWebhookBodies(customers = 20): Promise<string[]> {
  const bodies: string[] = [];
  const receiver = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      bodies.push(raw);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const polar = await PolarEmulator.start({ rateLimit: false });
  try {
    const { port } = receiver.address() as AddressInfo;
    polar.sendWebhooks({
      url: `http://127.0.0.1:${port}/`,
      secret: 'whsec_' + Buffer.from('bench').toString('base64'),
    });
    const monthly = polar.billing.seedProduct({
      name: 'Pro monthly',
      description: 'Everything in Pro, billed monthly',
      recurring_interval: 'month',
      prices: [{ amount_type: 'fixed', price_amount: 2000 }],
    });
    const oneTime = polar.billing.seedProduct({
      name: 'Lifetime add-on',
      prices: [{ amount_type: 'fixed', price_amount: 4900 }],
    });
    for (let i = 0; i < customers; i++) {
      const customer = polar.seedCustomer({
        email: `bench-buyer-${i}@mailinator.com`,
        external_id: `bench-buyer-${i}`,
        name: `Bench Buyer ${i}`,
      });
      polar.billing.purchase({ customer, product: monthly });
      if (i % 4 === 0) polar.billing.purchase({ customer, product: oneTime });
    }
    await polar.waitForWebhooks();
    // A month on: every subscription renews (subscription.updated/cycled, order.created/paid).
    polar.billing.advanceTime(31 * 24 * 3600 * 1000);
    await polar.waitForWebhooks();
  } finally {
    await polar.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
  const wanted = new Set<string>(BENCH_WEBHOOK_TYPES);
  const picked = bodies.filter((body) => wanted.has((JSON.parse(body) as { type: string }).type));
  if (picked.length === 0) throw new Error('the emulator sent no order or subscription webhooks');
  return picked.map(withPeerLegacyFields);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The body with the fields the peer's SDK copy (0.32) still requires and the 2026-10 API no longer
 * sends: an order's `amount` and `user_id`, a price's `type` and `recurring_interval`. Without them
 * the peer answers 500 to every order and subscription event; the 2026-10 SDK ignores them. Every
 * contender gets the same bytes. Compact JSON, so the peer's `JSON.stringify(req.body)` gives them back.
 */
function withPeerLegacyFields(body: string): string {
  const event = JSON.parse(body) as { type: string; data: Json };
  const walk = (node: unknown, interval: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, interval);
      return;
    }
    if (!isObject(node)) return;
    const own = 'recurring_interval' in node && !('amount_type' in node) ? node.recurring_interval : interval;
    if ('amount_type' in node && 'price_currency' in node && !('type' in node)) {
      node.type = own ? 'recurring' : 'one_time';
      node.recurring_interval = own ?? null;
    }
    for (const value of Object.values(node)) walk(value, own);
  };
  walk(event.data, undefined);
  if (event.type.startsWith('order.')) {
    event.data.amount ??= event.data.net_amount;
    event.data.user_id ??= event.data.customer_id;
  }
  return JSON.stringify(event);
}
