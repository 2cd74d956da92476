import { createHmac } from 'node:crypto';
import { randomAlphanumeric } from './emulator.store.js';
import type { PolarEmulatorWebhookDelivery, PolarEmulatorWebhookTarget } from './emulator.types.js';

/** The HMAC key of a Standard Webhooks secret: base64 after `whsec_`, else the raw bytes. */
export function webhookKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : undefined;
  if (encoded !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) && encoded.length % 4 === 0) {
    return Buffer.from(encoded, 'base64');
  }
  return Buffer.from(secret, 'utf8');
}

/** Standard Webhooks headers for one delivery. */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const signature = createHmac('sha256', webhookKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

/** Delivers signed events to registered endpoints, retrying until a 2xx like Polar does. */
export class WebhookSender {
  private readonly targets = new Set<PolarEmulatorWebhookTarget>();
  private readonly pending = new Set<Promise<void>>();
  private readonly queues = new Map<PolarEmulatorWebhookTarget, Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  readonly deliveries: PolarEmulatorWebhookDelivery[] = [];
  private stopped = false;

  constructor(
    private readonly clock: () => Date,
    private readonly maxDeliveries: number,
  ) {}

  add(target: PolarEmulatorWebhookTarget): () => void {
    if (!target || typeof target.url !== 'string' || typeof target.secret !== 'string' || target.secret.length === 0) {
      throw new TypeError('sendWebhooks: { url, secret } are required');
    }
    new URL(target.url);
    this.targets.add(target);
    return () => {
      this.targets.delete(target);
    };
  }

  /** Sends one event of `type` with `data` to every target. */
  send(type: string, data: unknown): void {
    if (this.stopped || this.targets.size === 0) return;
    const body = JSON.stringify({ type, timestamp: this.clock().toISOString(), data });
    const id = `msg_${randomAlphanumeric(27)}`;
    for (const target of this.targets) {
      // One queue per endpoint keeps deliveries in event order, which keeps tests deterministic.
      const previous = this.queues.get(target) ?? Promise.resolve();
      const delivery: Promise<void> = previous
        .then(() => (this.stopped ? undefined : this.deliver(target, id, type, body, 1)))
        .finally(() => {
          this.pending.delete(delivery);
          if (this.queues.get(target) === delivery) this.queues.delete(target);
        });
      this.queues.set(target, delivery);
      this.pending.add(delivery);
    }
  }

  private async deliver(
    target: PolarEmulatorWebhookTarget,
    id: string,
    type: string,
    body: string,
    attempt: number,
  ): Promise<void> {
    // Real time, not the emulator clock: receivers reject timestamps more than 5 minutes off.
    const timestamp = Math.floor(Date.now() / 1000);
    let status = 0;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'polar-emulator',
          ...signWebhook(target.secret, id, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch {
      status = 0;
    }
    this.deliveries.push({ id, type, url: target.url, attempt, status, body });
    if (this.deliveries.length > this.maxDeliveries)
      this.deliveries.splice(0, this.deliveries.length - this.maxDeliveries);
    const retries = target.retries ?? 2;
    if ((status < 200 || status > 299) && attempt <= retries && !this.stopped && this.targets.has(target)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, target.retryDelayMs ?? 100);
        this.timers.set(timer, resolve);
      });
      if (!this.stopped) await this.deliver(target, id, type, body, attempt + 1);
    }
  }

  /** Resolves when every delivery in flight (with its retries) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  clearDeliveries(): void {
    this.deliveries.length = 0;
  }

  stop(): void {
    this.stopped = true;
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
    this.targets.clear();
  }
}
