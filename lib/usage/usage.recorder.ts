import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { withinDeadline } from '../common/deadline.js';
import { describeThrown } from '../errors/describe-thrown.js';
import { PolarConfigurationError } from '../errors/polar-configuration.error.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import type {
  PolarUsageBufferStore,
  PolarUsageConfig,
  PolarUsageEvent,
  PolarUsageInput,
  PolarUsageRejection,
  PolarUsageStats,
} from '../interfaces/polar-usage-options.interface.js';
import { POLAR_CLIENT, POLAR_RESOLVED_OPTIONS } from '../polar.constants.js';
import type { PolarClient } from '../polar.decorators.js';
import { toUsageEvent } from './usage-event.js';
import { POLAR_USAGE_BUFFER_STORE } from './usage-buffer.provider.js';
import { USAGE_DROP_WARNING_INTERVAL_MS } from './usage.constants.js';
import { USAGE_MESSAGES } from './usage.messages.js';
import { type DeliveryOutcome, UsageSender } from './usage.sender.js';

/**
 * Records usage events for Polar's meters. `record()` only checks and buffers (no I/O on the
 * request path); batches leave for `events.ingest` when `maxBatchSize` events wait or
 * `flushIntervalMs` passed, one batch at a time, retried until Polar has them, each event with an
 * `external_id` generated at `record()` so Polar counts a resent event once. With a durable
 * buffer, events are written there before they are sent and removed once Polar confirmed them.
 */
@Injectable()
export class PolarUsageRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PolarUsage');
  private readonly config: PolarUsageConfig;
  private readonly sender: UsageSender;
  /** Ready to send, oldest first. */
  private readonly queue: PolarUsageEvent[] = [];
  /** Waiting for the durable write (durable buffer only). */
  private unsaved: PolarUsageEvent[] = [];
  private saving = 0;
  private sending = 0;
  private readonly storeCalls = new Set<Promise<void>>();
  private persistScheduled = false;
  private kickScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private needsRecovery: boolean;
  private giveUpAt = Infinity;
  private closed = false;
  private lastDropWarning = 0;
  private readonly counters: Omit<PolarUsageStats, 'pending'> = {
    recorded: 0,
    delivered: 0,
    duplicates: 0,
    rejected: 0,
    dropped: 0,
    recovered: 0,
    ingestCalls: 0,
    retries: 0,
    unflushedAtShutdown: 0,
    unattributed: 0,
  };

  constructor(
    @Inject(POLAR_RESOLVED_OPTIONS) options: PolarResolvedOptions,
    @Inject(POLAR_CLIENT) client: PolarClient,
    @Optional() @Inject(POLAR_USAGE_BUFFER_STORE) private readonly store: PolarUsageBufferStore | null = null,
  ) {
    this.config = options.usage;
    this.needsRecovery = this.store !== null;
    this.sender = new UsageSender(
      (events, timeoutMs) => client.events.ingest({ events }, { timeout: timeoutMs / 1000 }),
      this.config,
      options.timeoutMs,
      {
        call: () => {
          this.counters.ingestCalls++;
        },
        retry: (failure, events, waitMs) => {
          this.counters.retries++;
          const what =
            failure === 'deadline'
              ? 'no answer within timeoutMs'
              : failure.kind === 'status' || failure.kind === 'server'
                ? `status ${failure.status ?? '5xx'}`
                : failure.kind;
          this.logger.warn(USAGE_MESSAGES.retrying(what, events, waitMs));
        },
      },
    );
  }

  /**
   * Buffers one usage event and returns at once: `true` when it was taken, `false` when the buffer
   * is full (`usage.maxBufferedEvents`; counted in `stats().dropped`) or shutdown has begun. Bad
   * input throws a `PolarInputException` naming the field and the rule, and nothing is buffered.
   */
  record(input: PolarUsageInput): boolean {
    const event = toUsageEvent(input);
    if (this.closed) {
      this.counters.dropped++;
      this.logger.warn(USAGE_MESSAGES.afterShutdown);
      return false;
    }
    if (this.held() >= this.config.maxBufferedEvents) {
      this.counters.dropped++;
      const now = Date.now();
      if (now - this.lastDropWarning >= USAGE_DROP_WARNING_INTERVAL_MS) {
        this.lastDropWarning = now;
        this.logger.warn(USAGE_MESSAGES.dropped(this.counters.dropped, this.config.maxBufferedEvents));
      }
      return false;
    }
    this.counters.recorded++;
    if (this.store === null) {
      this.queue.push(event);
      this.schedule();
    } else {
      this.unsaved.push(event);
      this.schedulePersist();
    }
    return true;
  }

  /** Counts a `@TrackUsage` request whose customer could not be told (see `PolarTrackUsageInterceptor`). */
  countUnattributed(): void {
    this.counters.unattributed++;
  }

  /** The counters since start, and what is still waiting. */
  stats(): PolarUsageStats {
    return { ...this.counters, pending: this.held() };
  }

  /** Sends everything buffered now and resolves when it is delivered (or refused), without waiting for the timer. */
  async flush(): Promise<void> {
    await this.persistNow();
    await this.kick(true);
    // Once shutdown's deadline passed the sender gives up at once: stop rather than spin.
    while ((this.queue.length > 0 || this.draining) && Date.now() < this.giveUpAt) await this.kick(true);
    // Delivered events leave the durable buffer before this resolves.
    await Promise.all([...this.storeCalls]);
  }

  /**
   * Resolves once every event recorded so far is in the durable buffer (at once without one): from
   * then on a crash of this process loses none of them.
   */
  async whenDurable(): Promise<void> {
    await this.persistNow();
  }

  /** Reads what an earlier process left in the durable buffer, before requests arrive. */
  async onApplicationBootstrap(): Promise<void> {
    await this.recover();
  }

  /** Sends what is buffered within `usage.shutdownTimeoutMs`; what is left is logged and counted. */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const { shutdownTimeoutMs } = this.config;
    this.giveUpAt = Date.now() + shutdownTimeoutMs;
    this.sender.hurry();
    try {
      await withinDeadline('usage shutdown flush', shutdownTimeoutMs + 50, async () => {
        await this.flush();
      });
    } catch {
      // The deadline passed: what is left is reported below.
    }
    const left = this.held();
    this.counters.unflushedAtShutdown = left;
    if (left > 0) {
      if (this.store === null) this.logger.error(USAGE_MESSAGES.unflushedLost(left, shutdownTimeoutMs));
      else this.logger.warn(USAGE_MESSAGES.unflushedKept(left, shutdownTimeoutMs));
    }
  }

  /** Events in this process not yet delivered: waiting, being written, being sent. */
  private held(): number {
    return this.queue.length + this.unsaved.length + this.saving + this.sending;
  }

  /**
   * A full batch leaves on the next turn of the event loop (its serialisation is never paid inside
   * the `record()` call); otherwise the oldest waiting event leaves within `flushIntervalMs`.
   */
  private schedule(): void {
    if (this.queue.length >= this.config.maxBatchSize) {
      if (this.kickScheduled || this.draining) return;
      this.kickScheduled = true;
      setImmediate(() => {
        this.kickScheduled = false;
        void this.kick(false);
      });
    } else if (this.timer === undefined && this.queue.length > 0 && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.kick(true);
      }, this.config.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Runs the drain loop (one at a time); `all` also sends a batch that is not full. */
  private kick(all: boolean): Promise<void> {
    if (this.draining) return this.draining;
    this.draining = this.drain(all)
      .catch((error: unknown) => {
        // Never an unhandled rejection from the background loop; the events stay queued.
        this.logger.error(USAGE_MESSAGES.drainFailed, describeThrown(error));
      })
      .finally(() => {
        this.draining = undefined;
        this.schedule();
      });
    return this.draining;
  }

  private async drain(all: boolean): Promise<void> {
    if (this.needsRecovery) await this.recover();
    while (this.queue.length > 0 && (all || this.queue.length >= this.config.maxBatchSize)) {
      clearTimeout(this.timer);
      this.timer = undefined;
      const batch = this.queue.splice(0, this.config.maxBatchSize);
      this.sending += batch.length;
      let outcome: DeliveryOutcome;
      try {
        outcome = await this.sender.deliver(batch, () => this.giveUpAt);
      } catch (error) {
        this.queue.unshift(...batch);
        throw error;
      } finally {
        this.sending -= batch.length;
      }
      this.settle(outcome);
      if (outcome.unsent.length > 0) {
        this.queue.unshift(...outcome.unsent);
        return;
      }
    }
  }

  /** Counts a batch's outcome, reports refused events, and clears delivered ones from the durable buffer. */
  private settle(outcome: DeliveryOutcome): void {
    this.counters.delivered += outcome.confirmed.length;
    this.counters.duplicates += outcome.duplicates;
    this.counters.rejected += outcome.rejected.length;
    for (const rejection of outcome.rejected) this.reportRejected(rejection);
    const done = [...outcome.confirmed, ...outcome.rejected.map((rejection) => rejection.event)];
    if (this.store !== null && done.length > 0) {
      const ids = done.map((event) => event.external_id);
      this.track(
        this.store.remove(ids).catch((error: unknown) => {
          this.logger.warn(USAGE_MESSAGES.removeFailed(ids.length), describeThrown(error));
        }),
      );
    }
  }

  private reportRejected(rejection: PolarUsageRejection): void {
    const why = rejection.errors.map((error) => `${error.msg} (at ${error.loc.join('.') || 'the event'})`).join('; ');
    this.logger.warn(USAGE_MESSAGES.rejected(rejection.event.external_id, rejection.event.name, why));
    try {
      this.config.onRejected?.(rejection);
    } catch (error) {
      this.logger.error(USAGE_MESSAGES.onRejectedThrew, describeThrown(error));
    }
  }

  private schedulePersist(): void {
    if (this.persistScheduled) return;
    this.persistScheduled = true;
    setImmediate(() => {
      this.persistScheduled = false;
      void this.persistNow();
    });
  }

  /**
   * Writes what waits for the durable buffer, then makes it ready to send (a failed write is
   * logged, and the events are sent from memory all the same). Resolves when every write begun so
   * far has settled.
   */
  private async persistNow(): Promise<void> {
    if (this.store !== null && this.unsaved.length > 0) {
      const batch = this.unsaved;
      this.unsaved = [];
      this.saving += batch.length;
      this.track(
        this.store
          .append(batch)
          .catch((error: unknown) => {
            this.logger.warn(USAGE_MESSAGES.notDurable(batch.length), describeThrown(error));
          })
          .finally(() => {
            this.saving -= batch.length;
            this.queue.push(...batch);
            this.schedule();
          }),
      );
    }
    await Promise.all([...this.storeCalls]);
  }

  private track(call: Promise<void>): void {
    this.storeCalls.add(call);
    void call.finally(() => this.storeCalls.delete(call));
  }

  /** Queues what an earlier process left in the durable buffer (each event once). */
  private async recover(): Promise<void> {
    if (this.store === null || !this.needsRecovery) return;
    let events: PolarUsageEvent[];
    try {
      events = await this.store.load();
    } catch (error) {
      if (error instanceof PolarConfigurationError) throw error;
      this.logger.warn(USAGE_MESSAGES.recoverFailed, describeThrown(error));
      return;
    }
    this.needsRecovery = false;
    const known = new Set(this.queue.map((event) => event.external_id));
    const fresh = events.filter((event) => !known.has(event.external_id));
    if (fresh.length === 0) return;
    this.counters.recovered += fresh.length;
    this.queue.unshift(...fresh);
    this.logger.log(USAGE_MESSAGES.recovered(fresh.length));
    this.schedule();
  }
}
