import { Controller, Get, HttpException, HttpStatus, type ModuleMetadata, Query } from '@nestjs/common';
import type { PolarModuleOptions } from '../../lib/interfaces/polar-module-options.interface.js';
import type { PolarUsageOptions } from '../../lib/interfaces/polar-usage-options.interface.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { TrackUsage } from '../../lib/usage/track-usage.decorator.js';
import { PolarUsageRecorder } from '../../lib/usage/usage.recorder.js';
import { type AdapterName, polarTestApp, type PolarTestApp } from '../support/polar-app.js';

export const INGEST_PATH = '/v1/events/ingest';

/** Waits (harness time, not an assertion about speed) until `check` holds; throws with `what` otherwise. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The events the emulator stored (after its dedupe on external_id). */
export function ingested(polar: PolarEmulator): Array<Record<string, unknown>> {
  return polar.billing.events as Array<Record<string, unknown>>;
}

/** `events.ingest` calls that reached the emulator, with their answer status and batch size. */
export function ingestCalls(polar: PolarEmulator): Array<{ status: number; events: number }> {
  return polar.requests
    .filter((request) => request.path === INGEST_PATH)
    .map((request) => ({
      status: request.status,
      events: ((request.body as { events?: unknown[] } | undefined)?.events ?? []).length,
    }));
}

@Controller('metered')
export class MeteredController {
  @Get('search')
  @TrackUsage('search', { metadata: (request: { query?: { q?: string } }) => ({ q: String(request.query?.q) }) })
  search(@Query('q') q: string) {
    return { results: [q] };
  }

  @Get('refused')
  @TrackUsage('search')
  refused() {
    throw new HttpException('no credits', HttpStatus.PAYMENT_REQUIRED);
  }
}

/** The customer is the `x-user` header here (a test app's auth); no header → nobody signed in. */
export const headerCustomer: PolarModuleOptions['customer'] = (request: { headers: Record<string, string> }) =>
  request.headers['x-user'] ? { external_customer_id: request.headers['x-user'] } : null;

/** An app on the emulator with the usage options given, and the recorder. */
export async function usageApp(
  polar: PolarEmulator,
  usage: PolarUsageOptions,
  extra: { adapter?: AdapterName; timeoutMs?: number; imports?: NonNullable<ModuleMetadata['imports']> } = {},
): Promise<PolarTestApp & { recorder: PolarUsageRecorder }> {
  const built = await polarTestApp()
    .on(extra.adapter ?? 'express')
    .api(polar)
    .options({ usage, customer: headerCustomer, portal: false, timeoutMs: extra.timeoutMs ?? 10_000 })
    .controllers(MeteredController)
    .imports(...(extra.imports ?? []))
    .start();
  return { ...built, recorder: built.app.get(PolarUsageRecorder) };
}

/** A small seeded PRNG (mulberry32), so a faulty run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The faults mixed into a faulty run: statuses, a reset connection, and an answer later than the client waits. */
export type InjectedFault = '500' | '502' | '503' | '429' | 'reset' | 'late';

/**
 * Injects faults into about `ratio` of the `events.ingest` calls, through the emulator's fault
 * switches: each time a call arrives, with probability `ratio` one fault is armed for a later
 * call. `lateMs` is the latency of a `late` fault (above the client's timeout, so the call is
 * applied by the emulator after the client gave up: the resend must be deduplicated).
 */
export function injectFaults(
  polar: PolarEmulator,
  options: { ratio: number; seed: number; lateMs: number },
): { stop(): void; armed: Record<InjectedFault, number> } {
  const random = seededRandom(options.seed);
  const kinds: InjectedFault[] = ['500', '502', '503', '429', 'reset', 'late'];
  const armed = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<InjectedFault, number>;
  const scope = { path: INGEST_PATH };
  let seen = 0;
  const timer = setInterval(() => {
    const calls = polar.requests.filter((request) => request.path === INGEST_PATH).length;
    for (; seen < calls; seen++) {
      if (random() >= options.ratio) continue;
      const kind = kinds[Math.floor(random() * kinds.length)]!;
      armed[kind]++;
      if (kind === 'reset') polar.faults.resetConnection({ ...scope, times: 1 });
      else if (kind === 'late') polar.faults.latency(options.lateMs, { ...scope, times: 1 });
      else polar.faults.failNext(1, Number(kind), scope);
    }
  }, 1);
  return { stop: () => clearInterval(timer), armed };
}
