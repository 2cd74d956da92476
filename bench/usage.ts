/**
 * `npm run bench:usage` — the usage recorder's figures (issue 18), several runs each, medians into
 * a section of bench/RESULTS.md (kept there by `npm run bench`, from bench/results/usage-latest.md):
 *   1. record() cost on the request path: µs per call over 50k calls (nothing is sent meanwhile:
 *      the loop never yields, as a request handler would not);
 *   2. ingest calls per 100 events for 50k events recorded in bursts, on the default options;
 *   3. exact counts under ~5 % injected faults (500/502/503/429/reset/late answer) for 50k events:
 *      the emulator's event count against the recorded count.
 *
 *   npm run bench:usage                 3 runs
 *   USAGE_RUNS=3 USAGE_EVENTS=20000 npm run bench:usage   (a shorter run does not write RESULTS.md
 *   unless USAGE_WRITE=1)
 *
 * Runs in one process with the emulator as Polar, over real HTTP on 127.0.0.1. The recorder is
 * built as PolarModule builds it (resolved options, the SDK client), without Nest's container.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPolar } from '@polar-sh/sdk/2026-10';
import { Logger } from '@nestjs/common';
import type { PolarUsageOptions } from '../lib/interfaces/polar-usage-options.interface.js';
import { resolvePolarOptions, routeShapeOf } from '../lib/polar-options.resolver.js';
import { POLAR_ROUTES } from '../lib/polar.module.js';
import { PolarEmulator } from '../lib/testing/index.js';
import { PolarUsageRecorder } from '../lib/usage/usage.recorder.js';
import { ingestCalls, ingested, injectFaults } from '../test/usage/usage-harness.js';
import { CHAOS_HEADING, USAGE_HEADING } from './support/report.js';
import { median } from './support/stats.js';

const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};
const RUNS = envNumber('USAGE_RUNS', 3);
const EVENTS = envNumber('USAGE_EVENTS', 50_000);
const WRITE = process.env.USAGE_WRITE === '1' || (!process.env.USAGE_RUNS && !process.env.USAGE_EVENTS);
const FAULT_RATIO = 0.05;

// The recorder's retry warnings would flood the terminal in the faults phase.
Logger.overrideLogger(['error']);

function recorderOn(polar: PolarEmulator, usage: PolarUsageOptions, timeoutMs = 10_000): PolarUsageRecorder {
  const options = resolvePolarOptions(
    { accessToken: polar.accessToken, baseUrl: polar.url, portal: false, timeoutMs, usage },
    routeShapeOf(POLAR_ROUTES, { portal: false }, false),
  );
  const client = createPolar({ accessToken: options.accessToken, baseUrl: options.baseUrl, timeout: timeoutMs / 1000 });
  return new PolarUsageRecorder(options, client, null);
}

const customer = (i: number) => ({ external_customer_id: `user-${i % 50}` });

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * 1. µs per record() call, over EVENTS calls in one synchronous loop (after a warm-up): the
 * process's own CPU time (user + system, the figure least disturbed by other work on the machine,
 * as in bench/run.ts) and the wall-clock time (which includes time the process waited for a core).
 */
async function recordCost(polar: PolarEmulator): Promise<{ cpuUs: number; wallUs: number }> {
  const recorder = recorderOn(polar, { maxBufferedEvents: 10 * EVENTS, maxBatchSize: 1000, flushIntervalMs: 60_000 });
  for (let i = 0; i < 5000; i++) recorder.record({ name: 'warm_up', customer: customer(i), metadata: { i } });
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < EVENTS; i++) {
    recorder.record({ name: 'api_call', customer: customer(i), metadata: { tokens: i, model: 'small' } });
  }
  const used = process.cpuUsage(cpu);
  const wallUs = Number(process.hrtime.bigint() - started) / 1000 / EVENTS;
  await recorder.flush();
  return { cpuUs: (used.user + used.system) / EVENTS, wallUs };
}

/** 2. ingest calls per 100 events, EVENTS recorded in bursts of 500 (a busy app), default options. */
async function callsPer100(polar: PolarEmulator): Promise<{ per100: number; calls: number }> {
  const before = ingestCalls(polar).length;
  const recorder = recorderOn(polar, {});
  for (let i = 0; i < EVENTS; i++) {
    recorder.record({ name: 'api_call', customer: customer(i), metadata: { i } });
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  await recorder.flush();
  const calls = ingestCalls(polar).length - before;
  return { per100: (calls / EVENTS) * 100, calls };
}

interface FaultRun {
  recorded: number;
  atEmulator: number;
  distinct: number;
  calls: number;
  faults: number;
  retries: number;
  duplicates: number;
}

/** 3. EVENTS through ~5 % faulty ingest calls (batches of 100): what the emulator holds. */
async function exactUnderFaults(seed: number): Promise<FaultRun> {
  const polar = await PolarEmulator.start({ rateLimit: false, maxRecordedRequests: 1_000_000 });
  try {
    const recorder = recorderOn(
      polar,
      { maxBatchSize: 100, flushIntervalMs: 50, retryInitialDelayMs: 10, retryMaxDelayMs: 200 },
      300,
    );
    const faults = injectFaults(polar, { ratio: FAULT_RATIO, seed, lateMs: 500 });
    try {
      for (let i = 0; i < EVENTS; i++) {
        recorder.record({ name: 'api_call', customer: customer(i), metadata: { i } });
        if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => recorder.stats().delivered === EVENTS, 600_000, 'every event confirmed');
    } finally {
      faults.stop();
    }
    // A late attempt may land after its resend was confirmed.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const events = ingested(polar);
    const stats = recorder.stats();
    return {
      recorded: stats.recorded,
      atEmulator: events.length,
      distinct: new Set(events.map((event) => event.external_id)).size,
      calls: ingestCalls(polar).length,
      faults: Object.values(faults.armed).reduce((sum, n) => sum + n, 0),
      retries: stats.retries,
      duplicates: stats.duplicates,
    };
  } finally {
    await polar.stop();
  }
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
const startedAt = new Date();
const loadAtStart = load();

const costs: Array<{ cpuUs: number; wallUs: number }> = [];
const batching: Array<{ per100: number; calls: number }> = [];
const faultRuns: FaultRun[] = [];
for (let run = 1; run <= RUNS; run++) {
  const polar = await PolarEmulator.start({ rateLimit: false, maxRecordedRequests: 1_000_000 });
  try {
    costs.push(await recordCost(polar));
    batching.push(await callsPer100(polar));
  } finally {
    await polar.stop();
  }
  faultRuns.push(await exactUnderFaults(1800 + run));
  const last = faultRuns[faultRuns.length - 1]!;
  console.log(
    `run ${run}/${RUNS}: record() ${costs[run - 1]!.cpuUs.toFixed(2)} µs CPU (${costs[run - 1]!.wallUs.toFixed(2)} µs wall); ${batching[run - 1]!.calls} ingest calls for ${EVENTS}; ` +
      `faults ${last.faults}/${last.calls} calls, emulator ${last.atEmulator} of ${last.recorded} recorded`,
  );
}

const exact = faultRuns.every((run) => run.atEmulator === run.recorded && run.distinct === run.recorded);
const costMedian = median(costs.map((c) => c.cpuUs));
const wallMedian = median(costs.map((c) => c.wallUs));
const per100Median = median(batching.map((b) => b.per100));
const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
const lines = [
  `Run ${startedAt.toISOString()}: ${RUNS} runs × ${EVENTS} events, Node ${process.version}, load average ${loadAtStart} at the start, ${load()} at the end (2 cores shared).`,
  '',
  '| Figure | Target | Median | Per run | Verdict |',
  '| --- | --- | ---: | --- | --- |',
  `| \`record()\` CPU µs per call (request path) | ≤ 5 µs | ${costMedian.toFixed(2)} | ${costs.map((c) => c.cpuUs.toFixed(2)).join(' / ')} | ${verdict(costMedian <= 5)} |`,
  `| \`record()\` wall-clock µs per call (includes waiting for a core) | – | ${wallMedian.toFixed(2)} | ${costs.map((c) => c.wallUs.toFixed(2)).join(' / ')} | – |`,
  `| ingest calls per 100 events (${EVENTS} events, default options) | ≤ 1 | ${per100Median.toFixed(3)} | ${batching.map((b) => b.calls).join(' / ')} calls | ${verdict(per100Median <= 1)} |`,
  `| events at the emulator − recorded, under ~5 % faulty calls | 0 | ${median(faultRuns.map((r) => r.atEmulator - r.recorded))} | ${faultRuns.map((r) => `${r.atEmulator}/${r.recorded}`).join(' / ')} | ${verdict(exact)} |`,
  '',
  `Faults phase (batches of 100, timeoutMs 300, a "late" fault answers after 500 ms): faulty calls per run ${faultRuns.map((r) => `${r.faults}/${r.calls}`).join(', ')}; ` +
    `retries ${faultRuns.map((r) => r.retries).join(', ')}; events Polar already had when resent (deduplicated on \`external_id\`) ${faultRuns.map((r) => r.duplicates).join(', ')}; ` +
    `distinct external_ids at the emulator ${faultRuns.map((r) => r.distinct).join(', ')}.`,
];
const section = [
  USAGE_HEADING,
  '',
  'Written by `npm run bench:usage` (bench/usage.ts): the recorder and the emulator in one process over real HTTP;',
  '`record()` timed over a synchronous loop of calls, batching counted at the emulator, faults injected through',
  "the emulator's fault switches into about 5 % of the `events.ingest` calls.",
  '',
  ...lines,
  '',
].join('\n');
console.log(`\n${section}`);

if (WRITE) {
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  writeFileSync(join(benchDir, 'results/usage-latest.md'), section);
  const resultsFile = join(benchDir, 'RESULTS.md');
  let current = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# Benchmark results\n';
  // Drop the previous usage section (up to the next section), then put this one before the chaos section.
  const old = current.indexOf(USAGE_HEADING);
  if (old !== -1) {
    const next = current.indexOf('\n## ', old + USAGE_HEADING.length);
    current = current.slice(0, old) + (next === -1 ? '' : current.slice(next + 1));
  }
  const chaosAt = current.indexOf(CHAOS_HEADING);
  current =
    chaosAt === -1
      ? `${current.trimEnd()}\n\n${section}`
      : `${current.slice(0, chaosAt).trimEnd()}\n\n${section}\n${current.slice(chaosAt)}`;
  writeFileSync(resultsFile, current);
  console.log('wrote the usage section of bench/RESULTS.md');
}
if (!exact || costMedian > 5 || per100Median > 1) process.exitCode = 1;
