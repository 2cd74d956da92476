import { createHmac } from 'node:crypto';
import { randomAlphanumeric } from './emulator.store.js';
import type {
  PolarEmulatorWebhookDelivery,
  PolarEmulatorWebhookScheme,
  PolarEmulatorWebhookTarget,
} from './emulator.types.js';

/**
 * The HMAC key of a webhook secret. `standard` (Standard Webhooks, Polar's endpoints since 2026-09-08): the base64
 * after `whsec_` (a secret in any other form is used as raw bytes). `legacy` (older endpoints): Polar base64-encodes
 * the whole secret and hands it to Standard Webhooks, which decodes it again, so the key is the secret's UTF-8 bytes.
 */
export function webhookKey(secret: string, scheme: PolarEmulatorWebhookScheme = 'standard'): Buffer {
  if (scheme === 'legacy') return Buffer.from(secret, 'utf8');
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
  scheme: PolarEmulatorWebhookScheme = 'standard',
): Record<string, string> {
  const signature = createHmac('sha256', webhookKey(secret, scheme))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

// Polar's delivery policy (server/polar/webhook/tasks.py, config.py): 10 attempts per event, dramatiq's backoff
// `min(2 s × 2^n, 20 min)` after the n-th failed attempt (Polar jitters it to between half and all of that; the
// emulator waits the whole of it), and an endpoint whose last 10 events all failed is disabled.
const MAX_ATTEMPTS = 10;
const FAILURE_THRESHOLD = 10;
/** The pause Polar takes after the `attempt`-th failed delivery of an event. */
export function polarRetryDelayMs(attempt: number): number {
  return Math.min(2_000 * 2 ** attempt, 20 * 60_000);
}

interface ScheduledRetry {
  target: PolarEmulatorWebhookTarget;
  id: string;
  type: string;
  body: string;
  attempt: number;
  /** When it is due, on the emulator clock (ms). */
  dueAt: number;
  timer?: NodeJS.Timeout;
}

/** Delivers signed events to registered endpoints, retrying until a 2xx like Polar does. */
export class WebhookSender {
  private readonly targets = new Set<PolarEmulatorWebhookTarget>();
  private readonly scheduled = new Set<ScheduledRetry>();
  private readonly failedStreak = new Map<PolarEmulatorWebhookTarget, number>();
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
    if (target.scheme !== undefined && target.scheme !== 'standard' && target.scheme !== 'legacy') {
      throw new TypeError("sendWebhooks: scheme must be 'standard' or 'legacy'");
    }
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
    for (const target of this.targets) this.enqueue(target, id, type, body, 1);
  }

  /**
   * Sends an event whose payload Polar's worker builds after the request committed, from the data as it is then
   * (customer events: customer/tasks.py `customer_webhook`). `build` runs after the current turn of the event loop,
   * so the API answer that caused the event is written first; undefined (the row is gone) sends nothing, as the
   * job then fails without a delivery. Events sent this way keep their order among themselves.
   */
  sendAfterCommit(type: string, build: () => unknown): void {
    if (this.stopped || this.targets.size === 0) return;
    const job: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        const data = build();
        if (data !== undefined) this.send(type, data);
      })
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** One queue per endpoint keeps deliveries in event order, which keeps tests deterministic. */
  private enqueue(target: PolarEmulatorWebhookTarget, id: string, type: string, body: string, attempt: number): void {
    const previous = this.queues.get(target) ?? Promise.resolve();
    const delivery: Promise<void> = previous
      .then(() =>
        this.stopped || !this.targets.has(target) ? undefined : this.deliver(target, id, type, body, attempt),
      )
      .finally(() => {
        this.pending.delete(delivery);
        if (this.queues.get(target) === delivery) this.queues.delete(target);
      });
    this.queues.set(target, delivery);
    this.pending.add(delivery);
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
          ...signWebhook(target.secret, id, timestamp, body, target.scheme),
        },
        body,
        // Polar's client does not follow redirects: a 3xx answer is a failed delivery.
        redirect: 'manual',
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
    const succeeded = status >= 200 && status <= 299;
    if (succeeded) {
      this.failedStreak.delete(target);
      return;
    }
    if (this.stopped || !this.targets.has(target)) return;
    if (attempt > (target.retries ?? MAX_ATTEMPTS - 1)) {
      this.eventFailed(target);
      return;
    }
    if (target.retryDelayMs !== undefined) {
      // A fixed real-time pause, in the endpoint's queue, when the test asked for one.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, target.retryDelayMs);
        this.timers.set(timer, resolve);
      });
      if (!this.stopped) await this.deliver(target, id, type, body, attempt + 1);
      return;
    }
    this.schedule({
      target,
      id,
      type,
      body,
      attempt: attempt + 1,
      dueAt: this.clock().getTime() + polarRetryDelayMs(attempt),
    });
  }

  /** An event used up its attempts: ten such events in a row disable the endpoint, as Polar does. */
  private eventFailed(target: PolarEmulatorWebhookTarget): void {
    const streak = (this.failedStreak.get(target) ?? 0) + 1;
    this.failedStreak.set(target, streak);
    if (streak < FAILURE_THRESHOLD) return;
    this.targets.delete(target);
    this.failedStreak.delete(target);
    for (const retry of this.scheduled) if (retry.target === target) this.unschedule(retry);
  }

  /** Polar's backoff on the emulator clock: due retries go out when a real timer or `idle()` finds them due. */
  private schedule(retry: ScheduledRetry): void {
    this.scheduled.add(retry);
    const arm = (): void => {
      const wait = Math.max(retry.dueAt - this.clock().getTime(), 0);
      retry.timer = setTimeout(() => (this.releaseIfDue(retry) ? undefined : arm()), Math.min(wait, 2_147_483_647));
      retry.timer.unref();
    };
    arm();
  }

  private unschedule(retry: ScheduledRetry): void {
    clearTimeout(retry.timer);
    this.scheduled.delete(retry);
  }

  private releaseIfDue(retry: ScheduledRetry): boolean {
    if (!this.scheduled.has(retry)) return true;
    if (retry.dueAt > this.clock().getTime()) return false;
    this.unschedule(retry);
    this.enqueue(retry.target, retry.id, retry.type, retry.body, retry.attempt);
    return true;
  }

  /** Retries waiting for their time on the emulator clock. */
  get scheduledRetries(): number {
    return this.scheduled.size;
  }

  /**
   * Resolves when every delivery in flight has finished, retries included once they are due on the emulator clock;
   * retries still in the future (Polar's backoff) stay scheduled: move the clock on and call again to send them.
   */
  async idle(): Promise<void> {
    for (;;) {
      for (const retry of [...this.scheduled]) this.releaseIfDue(retry);
      if (this.pending.size === 0) return;
      await Promise.allSettled([...this.pending]);
    }
  }

  clearDeliveries(): void {
    this.deliveries.length = 0;
  }

  stop(): void {
    this.stopped = true;
    for (const retry of this.scheduled) this.unschedule(retry);
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
    this.targets.clear();
  }
}
