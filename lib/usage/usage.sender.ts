import { PolarDeadlineError, withinDeadline } from '../common/deadline.js';
import { classifyPolarError, type PolarFailure } from '../errors/polar-error.mapper.js';
import type {
  PolarUsageConfig,
  PolarUsageEvent,
  PolarUsageRejection,
} from '../interfaces/polar-usage-options.interface.js';
import { toIngestEvent } from './usage-event.js';

/** `events.ingest` as the sender calls it: the SDK call, with the time it may take (milliseconds). */
export type IngestCall = (
  events: ReturnType<typeof toIngestEvent>[],
  timeoutMs: number,
) => Promise<{ inserted: number; duplicates?: number }>;

/** What became of one batch. */
export interface DeliveryOutcome {
  /** Events Polar confirmed (inserted now, or already there). */
  confirmed: PolarUsageEvent[];
  /** Of `confirmed`, how many Polar already had. */
  duplicates: number;
  /** Events Polar refused, each alone. */
  rejected: PolarUsageRejection[];
  /** Events not delivered when the sender had to give up (shutdown's deadline). */
  unsent: PolarUsageEvent[];
}

/** What the sender tells the recorder as it goes (counters and logs). */
export interface SenderReport {
  call(): void;
  retry(failure: PolarFailure | 'deadline', events: number, waitMs: number): void;
}

type Attempt =
  { kind: 'ok'; duplicates: number } | { kind: 'invalid'; status: number; detail: unknown } | { kind: 'gave-up' };

/** 4xx answers that are about the batch's content: split it and find the event at fault. */
const CONTENT_STATUSES = new Set([400, 413, 422]);

/**
 * Sends one batch to `events.ingest` until Polar has it all: 429, 5xx, network failures, timeouts
 * and refused tokens are retried with backoff (every event keeps its `external_id`, so an attempt
 * Polar applied before the failure counts once); a 400/413/422 splits the batch (at the events
 * Polar's 422 names, else in halves) so the good events go through and each bad one is reported.
 */
export class UsageSender {
  private wake: (() => void) | undefined;

  constructor(
    private readonly ingest: IngestCall,
    private readonly config: PolarUsageConfig,
    private readonly timeoutMs: number,
    private readonly report: SenderReport,
  ) {}

  /** Ends a back-off wait now (shutdown: try again at once, within its deadline). */
  hurry(): void {
    this.wake?.();
  }

  /** Delivers `batch`; gives up (returning the rest as `unsent`) only when `giveUpAt()` has passed. */
  async deliver(batch: PolarUsageEvent[], giveUpAt: () => number): Promise<DeliveryOutcome> {
    const outcome: DeliveryOutcome = { confirmed: [], duplicates: 0, rejected: [], unsent: [] };
    const parts: PolarUsageEvent[][] = [batch];
    while (parts.length > 0) {
      const part = parts.shift()!;
      const attempt = await this.attempt(part, giveUpAt);
      if (attempt.kind === 'ok') {
        outcome.confirmed.push(...part);
        outcome.duplicates += attempt.duplicates;
      } else if (attempt.kind === 'gave-up') {
        outcome.unsent.push(...part, ...parts.flat());
        break;
      } else {
        parts.unshift(...split(part, attempt, outcome.rejected));
      }
    }
    return outcome;
  }

  private async attempt(part: PolarUsageEvent[], giveUpAt: () => number): Promise<Attempt> {
    const body = part.map(toIngestEvent);
    for (let failures = 0; ; failures++) {
      const left = giveUpAt() - Date.now();
      if (left <= 0) return { kind: 'gave-up' };
      const timeoutMs = Math.max(1, Math.min(this.timeoutMs, left));
      this.report.call();
      let failure: PolarFailure | 'deadline';
      try {
        const answer = await withinDeadline('usage events.ingest', timeoutMs, () => this.ingest(body, timeoutMs));
        return { kind: 'ok', duplicates: answer.duplicates ?? 0 };
      } catch (error) {
        failure = error instanceof PolarDeadlineError ? 'deadline' : classifyPolarError(error);
      }
      if (failure !== 'deadline' && failure.kind === 'status' && CONTENT_STATUSES.has(failure.status)) {
        return { kind: 'invalid', status: failure.status, detail: failure.body };
      }
      const waitMs = this.waitMs(failure, failures);
      if (Date.now() + waitMs >= giveUpAt()) return { kind: 'gave-up' };
      this.report.retry(failure, part.length, waitMs);
      await this.sleep(waitMs);
    }
  }

  /** Exponential backoff with jitter, at least a 429's `retry-after`, at most `retryMaxDelayMs`. */
  private waitMs(failure: PolarFailure | 'deadline', failures: number): number {
    const { retryInitialDelayMs, retryMaxDelayMs } = this.config;
    const backoff = Math.min(retryMaxDelayMs, retryInitialDelayMs * 2 ** Math.min(failures, 30));
    const jittered = backoff / 2 + Math.random() * (backoff / 2);
    const asked =
      failure !== 'deadline' && failure.kind === 'status' && failure.retryAfter !== null
        ? failure.retryAfter * 1000
        : 0;
    return Math.min(retryMaxDelayMs, Math.max(jittered, asked));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }
}

type ValidationIssue = { loc: Array<string | number>; msg: string; type: string };

/** The `detail` items of a FastAPI 422 body that have the expected shape. */
function issuesOf(detail: unknown): ValidationIssue[] {
  const items = (detail as { detail?: unknown } | null | undefined)?.detail;
  if (!Array.isArray(items)) return [];
  return items.filter(
    (item): item is ValidationIssue =>
      typeof item === 'object' &&
      item !== null &&
      Array.isArray((item as ValidationIssue).loc) &&
      typeof (item as ValidationIssue).msg === 'string',
  );
}

/**
 * The parts to send next after Polar refused `part`. A single event is refused for good (into
 * `rejected`). Else the events Polar's 422 names (`loc: ['body', 'events', i, …]`) are refused
 * and the others sent again; when it names none, the batch is halved until the bad event is alone.
 */
function split(
  part: PolarUsageEvent[],
  attempt: Extract<Attempt, { kind: 'invalid' }>,
  rejected: PolarUsageRejection[],
): PolarUsageEvent[][] {
  const byIndex = new Map<number, ValidationIssue[]>();
  for (const issue of issuesOf(attempt.detail)) {
    const [where, list, index, ...inside] = issue.loc;
    if (where !== 'body' || list !== 'events' || typeof index !== 'number' || index < 0 || index >= part.length) {
      continue;
    }
    byIndex.set(index, [
      ...(byIndex.get(index) ?? []),
      { loc: inside, msg: issue.msg, type: typeof issue.type === 'string' ? issue.type : 'unknown' },
    ]);
  }
  if (part.length === 1) {
    const errors = byIndex.get(0) ?? [
      { loc: [], msg: `Polar answered ${attempt.status} for this event alone`, type: `http_${attempt.status}` },
    ];
    rejected.push({ event: part[0]!, errors });
    return [];
  }
  if (byIndex.size === 0) {
    const half = Math.ceil(part.length / 2);
    return [part.slice(0, half), part.slice(half)];
  }
  for (const [index, errors] of byIndex) rejected.push({ event: part[index]!, errors });
  const rest = part.filter((_event, index) => !byIndex.has(index));
  return rest.length > 0 ? [rest] : [];
}
