import { randomBytes } from 'node:crypto';
import { signWebhook } from '../../lib/webhooks/webhooks.fixtures.js';

/** One signed delivery, as the load generator sends it. */
export interface SignedDelivery {
  id: string;
  body: string;
  headers: Record<string, string>;
  redelivery: boolean;
}

/** How the window's answers line up with the handler runs the contender recorded. */
export interface ExactlyOnceCheck {
  /** Distinct webhook-ids answered 2xx in the window. */
  answeredIds: number;
  /** Deliveries of an id already answered 2xx (Polar's retries), and how many of them were answered 2xx. */
  redeliveries: number;
  /** Handler runs in the window, and over how many distinct ids. */
  runs: number;
  runIds: number;
  /** Ids answered 2xx whose handler never ran (a delivery acknowledged and lost). */
  answeredWithoutRun: number;
  /** Ids whose handler ran more than once (a delivery billed twice). */
  ranMoreThanOnce: number;
  maxRunsPerId: number;
}

/**
 * The webhook load: cycles through realistic bodies, each sent under a fresh `webhook-id`, signed
 * at send time (so the timestamp is current) like Polar does; every `redeliverEvery`-th delivery
 * is a retry of an id already answered 2xx (what Polar sends when an answer got lost). `key` is how
 * the contender reads the secret: `standard` (Standard Webhooks, Polar's endpoints since 2026-09)
 * or `utf8` (the older SDK the peer ships, which only knows the legacy scheme).
 */
export class WebhookLoad {
  private next = 0;
  private readonly prefix = `msg_${randomBytes(6).toString('hex')}`;
  private recent: string[] = [];
  private answered = new Set<string>();
  private redeliveries = 0;

  constructor(
    private readonly bodies: readonly string[],
    private readonly secret: string,
    private readonly key: 'standard' | 'utf8',
    private readonly redeliverEvery = 20,
  ) {}

  /** Starts a measuring window (ids of earlier windows are not retried in it). */
  reset(): void {
    this.recent = [];
    this.answered = new Set();
    this.redeliveries = 0;
  }

  /** The next delivery to send. */
  delivery(): SignedDelivery {
    const n = this.next++;
    const redelivery = n % this.redeliverEvery === this.redeliverEvery - 1 && this.recent.length > 0;
    const id = redelivery ? this.recent[n % this.recent.length] : `${this.prefix}_${n.toString(36)}`;
    if (redelivery) this.redeliveries++;
    const body = this.bodies[n % this.bodies.length];
    return { id, body, headers: signWebhook(body, this.secret, { id, key: this.key }), redelivery };
  }

  /** Records the answer to a delivery. */
  answer(id: string, status: number): void {
    if (status < 200 || status > 299 || this.answered.has(id)) return;
    this.answered.add(id);
    // Retries pick among the last answered ids, as Polar retries recent events.
    this.recent.push(id);
    if (this.recent.length > 256) this.recent.shift();
  }

  /** Compares the window's 2xx answers with the contender's recorded runs per id. */
  check(runs: Record<string, number>): ExactlyOnceCheck {
    const counts = Object.values(runs);
    let answeredWithoutRun = 0;
    for (const id of this.answered) if (!runs[id]) answeredWithoutRun++;
    return {
      answeredIds: this.answered.size,
      redeliveries: this.redeliveries,
      runs: counts.reduce((a, b) => a + b, 0),
      runIds: counts.length,
      answeredWithoutRun,
      ranMoreThanOnce: counts.filter((c) => c > 1).length,
      maxRunsPerId: counts.reduce((a, b) => Math.max(a, b), 0),
    };
  }
}
