/**
 * `npm run bench` — loads each contender in turn, behind the same fake Polar upstream, in several
 * interleaved rounds, then writes bench/RESULTS.md and prints the table.
 *
 *   npm run bench                  full run (about 11 minutes: portal, webhook and entitlement contenders)
 *   npm run bench -- --quick       smoke run (about 1 minute); BENCH_QUICK=1 does the same
 *   npm run bench -- --only=peer,express --rounds=5 --duration=15 --latency=50
 *   npm run bench -- --profile=express   also writes a V8 CPU profile of that contender
 *   npm run bench -- --trace-gc=express  logs that contender's GC pauses to bench/results/logs/
 *   npm run bench -- --node-args="--max-semi-space-size=32"   node flags for every contender
 *   npm run bench -- --node=/path/to/node22/bin/node           another node for the contenders
 *   npm run bench -- --suite=webhooks   only the webhook contenders (portal, webhooks, entitlements; all by default)
 *   npm run bench -- --suite=entitlements --quick   the entitlement guard's three contenders (under a minute)
 *   npm run bench -- --render           rewrite bench/RESULTS.md from the last full run (no load)
 *
 * Process layout: this process runs the load generator (autocannon) and samples memory from
 * /proc; the upstream and every contender each run in their own child process. Contenders are
 * compiled with tsc first (esbuild-based loaders drop the decorator metadata Nest needs).
 */
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchChild, type LoopDelay, startLoopDelay, stopLoopDelay } from './support/ipc.js';
import { BENCH_CUSTOMER_HEADER, benchCustomers } from './support/fixtures.js';
import { mean, median } from './support/stats.js';
import { pacedLoad } from './support/paced-load.js';
import { build, buildDir } from './support/build.js';
import { rssKb } from './support/memory.js';
import {
  historyEntry,
  renderMarkdown,
  renderTable,
  type BenchReport,
  type ContenderSummary,
  type RunHistoryEntry,
} from './support/report.js';
import { summariseProfile } from './support/profile.js';
import { type ExactlyOnceCheck, WebhookLoad } from './support/webhook-load.js';
import { realisticWebhookBodies } from './support/webhook-payloads.js';
import { TEST_WEBHOOK_SECRET } from '../lib/webhooks/webhooks.fixtures.js';
import { type RunningRedis, startRedisServer } from '../test/webhooks/redis-server.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(benchDir, 'results');
const logsDir = join(resultsDir, 'logs');

/**
 * What a contender is loaded with: portal visits (GET, answered 303), signed webhook deliveries
 * (POST, 2xx) or visits to a subscription-guarded route (GET, answered 200 JSON).
 */
type Suite = 'portal' | 'webhooks' | 'entitlements';
const SUITES: readonly Suite[] = ['portal', 'webhooks', 'entitlements'];

/** One thing under load: its compiled entry, extra environment and the route to hit. */
interface ContenderSpec {
  key: string;
  label: string;
  script: string;
  path: string;
  env?: Record<string, string>;
  /** Whether the issue's targets for this module apply (peer and floor are references). */
  ours: boolean;
  suite: Suite;
  /** Webhooks: how the contender reads the signing secret (the peer's SDK only knows the legacy scheme). */
  signing?: 'standard' | 'utf8';
  /** Webhooks: dedupe through cache-manager on the bench's redis-server. */
  redis?: boolean;
}

/** This module's webhook route on an adapter, with memory or Redis dedupe. */
function ourWebhooks(adapter: 'express' | 'fastify', redis: boolean): ContenderSpec {
  return {
    key: `wh-${adapter}${redis ? '-redis' : ''}`,
    label: `nestjs-polar webhooks · ${adapter === 'express' ? 'Express' : 'Fastify'}, ${redis ? 'Redis' : 'memory'} dedupe`,
    script: 'contenders/nest-webhooks.js',
    path: '/billing/webhooks',
    env: { BENCH_ADAPTER: adapter },
    ours: true,
    suite: 'webhooks',
    signing: 'standard',
    redis,
  };
}

const CONTENDERS: ContenderSpec[] = [
  {
    key: 'express',
    label: 'nestjs-polar · Express',
    script: 'contenders/nest.js',
    path: '/billing/portal',
    env: { BENCH_ADAPTER: 'express' },
    ours: true,
    suite: 'portal',
  },
  {
    key: 'fastify',
    label: 'nestjs-polar · Fastify',
    script: 'contenders/nest.js',
    path: '/billing/portal',
    env: { BENCH_ADAPTER: 'fastify' },
    ours: true,
    suite: 'portal',
  },
  {
    key: 'peer',
    label: '@polar-sh/express (peer)',
    script: 'contenders/peer.js',
    path: '/portal',
    ours: false,
    suite: 'portal',
  },
  {
    key: 'floor',
    label: 'node:http + SDK (floor)',
    script: 'contenders/floor.js',
    path: '/',
    ours: false,
    suite: 'portal',
  },
  {
    key: 'floor-agent',
    label: 'node:http + SDK on a keep-alive http.Agent (measurement)',
    script: 'contenders/floor-agent.js',
    path: '/',
    ours: false,
    suite: 'portal',
  },
  {
    key: 'reuse',
    label: 'nestjs-polar · Express, reuse on',
    script: 'contenders/nest.js',
    path: '/billing/portal',
    env: { BENCH_ADAPTER: 'express', BENCH_REUSE: '1' },
    ours: true,
    suite: 'portal',
  },
  ourWebhooks('express', false),
  ourWebhooks('fastify', false),
  ourWebhooks('express', true),
  ourWebhooks('fastify', true),
  {
    key: 'wh-peer',
    label: '@polar-sh/express Webhooks (peer)',
    script: 'contenders/peer-webhooks.js',
    path: '/polar/webhooks',
    ours: false,
    suite: 'webhooks',
    signing: 'utf8',
  },
  {
    key: 'wh-floor',
    label: 'node:http + standardwebhooks (floor)',
    script: 'contenders/floor-webhooks.js',
    path: '/',
    ours: false,
    suite: 'webhooks',
    signing: 'standard',
  },
  // Issue 17: the guarded route on the cached customer state, the same check calling getState per
  // request (the peer approach), and the same route with no check (the CPU reference).
  {
    key: 'entitled',
    label: 'nestjs-polar · @RequiresSubscription (cached)',
    script: 'contenders/entitle.js',
    path: '/pro',
    env: { BENCH_ENTITLE: 'cached' },
    ours: true,
    suite: 'entitlements',
  },
  {
    key: 'getstate',
    label: 'getState per request (what apps do today)',
    script: 'contenders/entitle.js',
    path: '/pro',
    env: { BENCH_ENTITLE: 'per-request' },
    ours: false,
    suite: 'entitlements',
  },
  {
    key: 'unguarded',
    label: 'unguarded route (same app)',
    script: 'contenders/entitle.js',
    path: '/pro',
    env: { BENCH_ENTITLE: 'unguarded' },
    ours: false,
    suite: 'entitlements',
  },
];

interface Config {
  quick: boolean;
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
  latencyMs: number;
  latencyDurationS: number;
  latencyRate: number;
  soakS: number;
  soakSettleS: number;
  only: string[] | null;
  suites: Suite[];
  profile: string | null;
  traceGc: string | null;
  /** Extra node flags for every contender (same for all, e.g. --max-semi-space-size=32). */
  contenderNodeArgs: string[];
  /** Another node binary for the contenders (e.g. Node 22 for a comparison run). */
  contenderNode: string | null;
  write: boolean;
}

function parseArgs(argv: string[]): Config {
  const flags = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) flags.set(m[1], m[2] ?? 'true');
  }
  const quick = flags.has('quick') || process.env.BENCH_QUICK === '1';
  const num = (name: string, full: number, fast: number) => {
    const v = flags.get(name);
    if (v === undefined) return quick ? fast : full;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${v}"`);
    return n;
  };
  const only =
    flags
      .get('only')
      ?.split(',')
      .map((s) => s.trim()) ?? null;
  for (const key of only ?? []) {
    if (!CONTENDERS.some((c) => c.key === key)) {
      throw new Error(`--only: unknown contender "${key}" (known: ${CONTENDERS.map((c) => c.key).join(', ')})`);
    }
  }
  const suites = (flags.get('suite') ?? SUITES.join(',')).split(',').map((x) => x.trim()) as Suite[];
  for (const suite of suites) {
    if (!SUITES.includes(suite)) throw new Error(`--suite: unknown suite "${suite}" (known: ${SUITES.join(', ')})`);
  }
  return {
    quick,
    rounds: num('rounds', 3, 1),
    durationS: num('duration', 6, 3),
    warmupS: num('warmup', 5, 1),
    connections: num('connections', 50, 50),
    latencyMs: num('latency', 50, 50),
    latencyDurationS: num('latency-duration', 3, 2),
    latencyRate: num('latency-rate', 200, 200),
    soakS: num('soak', 20, 6),
    // Traces show RSS climbing for the first ~7-10 s of load (heaps sizing up), then flat.
    soakSettleS: num('soak-settle', 10, 2),
    only,
    suites,
    profile: flags.get('profile') ?? null,
    traceGc: flags.get('trace-gc') ?? null,
    contenderNodeArgs: (flags.get('node-args') ?? '').split(' ').filter(Boolean),
    contenderNode: flags.get('node') ?? null,
    // Only a full run on the defaults replaces the published table and joins the history, unless asked.
    write:
      flags.has('write') || (!quick && !only && !flags.has('suite') && !flags.has('node') && !flags.has('node-args')),
  };
}

interface RunSample {
  round: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  /** Answers that did the job: a redirect to the portal, a webhook's 2xx, the guarded route's 200. */
  ok: number;
  failures: number;
  upstreamCalls: number;
  upstreamCpuMs: number;
  wallMs: number;
  /** CPU time the contender process used in this window, ms. */
  contenderCpuMs: number;
}

interface Live {
  spec: ContenderSpec;
  child: BenchChild;
  url: string;
  samples: RunSample[];
  rssTrace: number[];
  latencyFailures: number;
  /** Entitlement contenders: req/s per round of unpaced load while the upstream adds `latencyMs`. */
  upstreamLatencyReqPerSec: number[];
  /** Webhook contenders: the deliveries they are sent, and each window's exactly-once check. */
  webhookLoad?: WebhookLoad;
  deliveryChecks: ExactlyOnceCheck[];
  latency?: {
    p50: number;
    p99: number;
    upstreamP99: number;
    upstreamCalls: number;
    requests: number;
    contenderLoopP99: number;
    contenderLoopMax: number;
    generatorLoopP99: number;
  };
  peakRssKb?: number;
}

function portalRequests(spec: ContenderSpec) {
  return benchCustomers().map((c) => ({
    method: 'GET' as const,
    path: spec.path,
    headers: { [BENCH_CUSTOMER_HEADER]: c.id },
  }));
}

/** autocannon's requests: portal visits in turn, or one entry that signs a fresh delivery each time. */
function loadRequests(live: Live): AutocannonRequest[] {
  const deliveries = live.webhookLoad;
  if (!deliveries) return portalRequests(live.spec);
  return [
    {
      method: 'POST',
      path: live.spec.path,
      setupRequest: (req, context) => {
        const d = deliveries.delivery();
        context.webhookId = d.id;
        return { ...req, method: 'POST', path: live.spec.path, headers: d.headers, body: d.body };
      },
      onResponse: (status, _body, context) => deliveries.answer(String(context.webhookId), status),
    },
  ];
}

/** The answer that did the job: a redirect to the portal, or 2xx (a webhook, the guarded route's JSON). */
const succeeded = (suite: Suite, status: number) =>
  suite === 'portal' ? status >= 300 && status < 400 : status >= 200 && status < 300;

function countOutcome(suite: Suite, result: AutocannonResult): { ok: number; failures: number } {
  let ok = 0;
  let failures = result.errors + result.timeouts;
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (succeeded(suite, Number(code))) ok += count;
    else failures += count;
  }
  return { ok, failures };
}

async function load(
  live: Live,
  durationS: number,
  connections: number,
  rssTrace: number[] | null,
  overallRate?: number,
): Promise<AutocannonResult> {
  let sampling = rssTrace !== null;
  const trace = async () => {
    while (sampling) {
      rssTrace?.push(await rssKb(live.child, 'VmRSS'));
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const tracer = trace();
  const result = await autocannon({
    url: live.url,
    connections,
    duration: durationS,
    requests: loadRequests(live),
    timeout: 10,
    // Below capacity nothing is omitted; autocannon's correction would invent sub-upstream latencies.
    ...(overallRate ? { overallRate, ignoreCoordinatedOmission: true } : {}),
  });
  sampling = false;
  await tracer;
  return result;
}

/**
 * autocannon stops without waiting for answers in flight: give the contender time to finish them,
 * so their upstream calls count in this window and not in the next contender's.
 */
function drain(upstreamLatencyMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 300 + upstreamLatencyMs));
}

/**
 * One request through a contender: it must redirect to a portal URL carrying a session token,
 * answer a signed delivery 2xx with one run of its handler, or answer the guarded route 200.
 */
async function smoke(live: Live): Promise<void> {
  if (live.webhookLoad) {
    await live.child.call('runs-reset');
    live.webhookLoad.reset();
    const d = live.webhookLoad.delivery();
    const res = await fetch(live.url + live.spec.path, { method: 'POST', headers: d.headers, body: d.body });
    live.webhookLoad.answer(d.id, res.status);
    const check = live.webhookLoad.check(await live.child.call<Record<string, number>>('runs'));
    if (res.status !== 200 || check.runs !== 1 || check.answeredWithoutRun !== 0) {
      throw new Error(
        `${live.spec.key}: expected a signed delivery answered 200 with one handler run, got ${res.status} ${(await res.text()).slice(0, 200)} and ${check.runs} run(s)`,
      );
    }
    return;
  }
  const res = await fetch(live.url + live.spec.path, {
    headers: { [BENCH_CUSTOMER_HEADER]: benchCustomers()[0].id },
    redirect: 'manual',
  });
  if (live.spec.suite === 'entitlements') {
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${live.spec.key}: expected 200, got ${res.status} ${body.slice(0, 200)}`);
    return;
  }
  const location = res.headers.get('location') ?? '';
  if (res.status < 300 || res.status > 399 || !location.includes('customer_session_token=')) {
    throw new Error(
      `${live.spec.key}: expected a redirect to the portal, got ${res.status} ${(await res.text()).slice(0, 200)}`,
    );
  }
}

/**
 * One request per bench customer, ten at a time: the entitlement contenders' first read of each
 * customer's state. autocannon's connections each walk the customer list from the start, so on a
 * slow machine the warm-up alone reaches only the first customers, and the cached contender's first
 * fetches of the others would land in the measured rounds.
 */
async function primeEveryCustomer(live: Live): Promise<void> {
  const customers = benchCustomers();
  for (let i = 0; i < customers.length; i += 10) {
    await Promise.all(
      customers.slice(i, i + 10).map(async (c) => {
        const res = await fetch(live.url + live.spec.path, { headers: { [BENCH_CUSTOMER_HEADER]: c.id } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${live.spec.key}: priming ${c.id} answered ${res.status}`);
      }),
    );
  }
}

function machineLine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

function summarise(live: Live, cfg: Config): ContenderSummary {
  const s = live.samples;
  const totalReq = s.reduce((a, x) => a + x.requests, 0);
  const calls = s.reduce((a, x) => a + x.upstreamCalls, 0);
  const tenth = Math.max(1, Math.floor(live.rssTrace.length / 10));
  const first = mean(live.rssTrace.slice(0, tenth));
  const last = mean(live.rssTrace.slice(-tenth));
  const checks = live.deliveryChecks;
  return {
    key: live.spec.key,
    label: live.spec.label,
    ours: live.spec.ours,
    suite: live.spec.suite,
    deliveries: checks.length
      ? {
          answeredIds: checks.reduce((a, c) => a + c.answeredIds, 0),
          redeliveries: checks.reduce((a, c) => a + c.redeliveries, 0),
          runs: checks.reduce((a, c) => a + c.runs, 0),
          runIds: checks.reduce((a, c) => a + c.runIds, 0),
          answeredWithoutRun: checks.reduce((a, c) => a + c.answeredWithoutRun, 0),
          ranMoreThanOnce: checks.reduce((a, c) => a + c.ranMoreThanOnce, 0),
          maxRunsPerId: Math.max(...checks.map((c) => c.maxRunsPerId)),
        }
      : undefined,
    reqPerSec: median(s.map((x) => x.reqPerSec)),
    reqPerSecRounds: s.map((x) => Math.round(x.reqPerSec)),
    ...(live.upstreamLatencyReqPerSec.length
      ? {
          upstreamLatencyReqPerSec: median(live.upstreamLatencyReqPerSec),
          upstreamLatencyReqPerSecRounds: live.upstreamLatencyReqPerSec.map(Math.round),
        }
      : {}),
    p50: median(s.map((x) => x.p50)),
    p99: median(s.map((x) => x.p99)),
    upstreamCallsPerRequest: totalReq ? calls / totalReq : NaN,
    upstreamCallsPerRequestRounds: s.map((x) => (x.requests ? x.upstreamCalls / x.requests : NaN)),
    ...(live.spec.suite === 'entitlements'
      ? { upstreamCallsPerCustomerRounds: s.map((x) => x.upstreamCalls / benchCustomers().length) }
      : {}),
    cpuUsPerRequest: median(s.map((x) => (x.contenderCpuMs * 1000) / Math.max(1, x.requests))),
    failures: s.reduce((a, x) => a + x.failures, 0) + live.latencyFailures,
    requests: totalReq,
    peakRssMb: (live.peakRssKb ?? NaN) / 1024,
    rssFirstTenthMb: first / 1024,
    rssLastTenthMb: last / 1024,
    rssDriftPct: ((last - first) / first) * 100,
    rssTracedSeconds: Math.round(live.rssTrace.length * 0.25),
    latencyP50: live.latency?.p50 ?? NaN,
    latencyP99: live.latency?.p99 ?? NaN,
    upstreamOwnP99: live.latency?.upstreamP99 ?? NaN,
    // Only meaningful for contenders that call the upstream on (nearly) every request.
    // A contender that answers without calling the upstream owns all of its p99.
    addedP99: !live.latency
      ? NaN
      : live.latency.requests && live.latency.upstreamCalls / live.latency.requests > 0.5
        ? live.latency.p99 - live.latency.upstreamP99
        : live.latency.p99,
    contenderLoopDelayP99: live.latency?.contenderLoopP99 ?? NaN,
    contenderLoopDelayMax: live.latency?.contenderLoopMax ?? NaN,
    generatorLoopDelayP99: live.latency?.generatorLoopP99 ?? NaN,
    latencyUpstreamCallsPerRequest: live.latency?.requests ? live.latency.upstreamCalls / live.latency.requests : NaN,
    upstreamCpuShare: mean(s.map((x) => x.upstreamCpuMs / x.wallMs)),
    upstreamCpuShareMax: Math.max(...s.map((x) => x.upstreamCpuMs / x.wallMs)),
    configLatencyMs: cfg.latencyMs,
    // One point per second (MB), so a rise can be told from a leak by eye.
    rssTraceMb: live.rssTrace.filter((_, i) => i % 4 === 0).map((kb) => Math.round(kb / 102.4) / 10),
  };
}

/** Webhook contenders: a window starts with an empty ledger and no ids to retry. */
async function startDeliveryWindow(live: Live): Promise<void> {
  if (!live.webhookLoad) return;
  live.webhookLoad.reset();
  await live.child.call('runs-reset');
}

/** Webhook contenders: the window's answers against the handler runs the contender recorded. */
async function endDeliveryWindow(live: Live): Promise<ExactlyOnceCheck | undefined> {
  if (!live.webhookLoad) return undefined;
  const check = live.webhookLoad.check(await live.child.call<Record<string, number>>('runs'));
  live.deliveryChecks.push(check);
  return check;
}

function deliveryLine(c: ExactlyOnceCheck): string {
  return `runs ${c.runs} over ${c.runIds} ids (${c.answeredIds} answered 2xx, ${c.redeliveries} retries sent), max ${c.maxRunsPerId}/id${c.answeredWithoutRun ? `  ANSWERED WITHOUT A RUN ${c.answeredWithoutRun}` : ''}${c.ranMoreThanOnce ? `  RAN TWICE ${c.ranMoreThanOnce}` : ''}`;
}

/**
 * bench/RESULTS.md from a report and the run history; the last chaos run's section and the
 * hand-written notes on where the time goes (bench/results/performance-notes.md) are kept.
 */
function writeResults(report: BenchReport, history: RunHistoryEntry[]): void {
  const read = (name: string) => {
    const file = join(resultsDir, name);
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  };
  writeFileSync(
    join(benchDir, 'RESULTS.md'),
    renderMarkdown(
      report,
      history.slice(-5),
      // The usage section (npm run bench:usage) sits just before the chaos section, kept at the end.
      [read('usage-latest.md'), read('chaos-latest.md')].filter(Boolean).join('\n\n'),
      read('performance-notes.md'),
    ),
  );
}

async function main(): Promise<void> {
  // `--render`: rewrite bench/RESULTS.md from the last full run (after editing the notes), no load.
  if (process.argv.includes('--render')) {
    const report = JSON.parse(readFileSync(join(resultsDir, 'full-latest.json'), 'utf8')) as BenchReport;
    const history = readFileSync(join(resultsDir, 'history.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RunHistoryEntry);
    writeResults(report, history);
    console.log('wrote bench/RESULTS.md from bench/results/full-latest.json');
    return;
  }
  const cfg = parseArgs(process.argv.slice(2));
  const specs = CONTENDERS.filter((c) => (cfg.only ? cfg.only.includes(c.key) : cfg.suites.includes(c.suite)));
  const started = Date.now();
  const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
  mkdirSync(logsDir, { recursive: true });
  console.log(
    `bench: ${cfg.quick ? 'quick' : 'full'} run — ${specs.length} contenders, ${cfg.rounds} round(s) × ${cfg.durationS}s, ${cfg.connections} connections`,
  );
  console.log(`machine: ${machineLine()}`);
  if (cfg.contenderNodeArgs.length) console.log(`contender node flags: ${cfg.contenderNodeArgs.join(' ')}`);
  const contenderNodeVersion = cfg.contenderNode
    ? spawnSync(cfg.contenderNode, ['--version'], { encoding: 'utf8' }).stdout.trim()
    : process.version;
  if (cfg.contenderNode) console.log(`contenders run on ${cfg.contenderNode} (${contenderNodeVersion})`);
  console.log('building (tsc)…');
  build();

  const logFile = (name: string) => {
    const f = join(logsDir, `${name}.log`);
    writeFileSync(f, '');
    return f;
  };
  const upstream = new BenchChild(join(buildDir, 'bench/upstream.js'), { logFile: logFile('upstream') });
  const upstreamUrl = `http://127.0.0.1:${await upstream.port}`;
  const webhookBodies = specs.some((s) => s.suite === 'webhooks') ? await realisticWebhookBodies() : [];
  if (webhookBodies.length) {
    const sizes = webhookBodies.map((b) => Buffer.byteLength(b));
    console.log(
      `webhook payloads: ${webhookBodies.length} emulator-rendered order/subscription events, ${Math.min(...sizes)}–${Math.max(...sizes)} bytes (median ${median(sizes)})`,
    );
  }
  let redis: RunningRedis | undefined;
  const lives: Live[] = [];
  try {
    if (specs.some((s) => s.redis)) redis = await startRedisServer();
    const profileDir = join(resultsDir, 'profiles');
    for (const spec of specs) {
      const profiling = cfg.profile === spec.key;
      if (profiling) mkdirSync(profileDir, { recursive: true });
      const child = new BenchChild(join(buildDir, 'bench', spec.script), {
        env: {
          ...spec.env,
          BENCH_UPSTREAM_URL: upstreamUrl,
          NODE_ENV: 'production',
          ...(spec.redis && redis ? { BENCH_REDIS_URL: redis.url } : {}),
        },
        execArgv: [
          ...cfg.contenderNodeArgs,
          ...(profiling
            ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${spec.key}-${Date.now()}.cpuprofile`]
            : []),
          // GC pauses go to the contender's log (bench/results/logs/<key>.log).
          ...(cfg.traceGc === spec.key ? ['--trace-gc'] : []),
        ],
        logFile: logFile(spec.key),
        ...(cfg.contenderNode ? { execPath: cfg.contenderNode } : {}),
      });
      lives.push({
        spec,
        child,
        url: `http://127.0.0.1:${await child.port}`,
        samples: [],
        rssTrace: [],
        latencyFailures: 0,
        upstreamLatencyReqPerSec: [],
        deliveryChecks: [],
        ...(spec.suite === 'webhooks'
          ? { webhookLoad: new WebhookLoad(webhookBodies, TEST_WEBHOOK_SECRET, spec.signing ?? 'standard') }
          : {}),
      });
    }
    for (const live of lives) await smoke(live);
    for (const live of lives.filter((l) => l.spec.suite === 'entitlements')) await primeEveryCustomer(live);

    console.log(`warm-up: ${cfg.warmupS}s each`);
    for (const live of lives) if (cfg.warmupS > 0) await load(live, cfg.warmupS, cfg.connections, null);

    for (let round = 1; round <= cfg.rounds; round++) {
      // Rotate the order so no contender always runs right after the same neighbour.
      const order = lives.map((_, i) => lives[(i + round - 1) % lives.length]);
      for (const live of order) {
        await upstream.call('reset');
        await startDeliveryWindow(live);
        const cpuBefore = await live.child.call<number>('cpu');
        const result = await load(live, cfg.durationS, cfg.connections, null);
        const cpuAfter = await live.child.call<number>('cpu');
        await drain(0);
        const up = await upstream.call<{ calls: number; cpuMs: number; wallMs: number }>('stats');
        const delivery = await endDeliveryWindow(live);
        const { ok, failures } = countOutcome(live.spec.suite, result);
        const sample: RunSample = {
          round,
          reqPerSec: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          requests: ok + failures,
          ok,
          failures,
          upstreamCalls: up.calls,
          upstreamCpuMs: up.cpuMs,
          wallMs: up.wallMs,
          contenderCpuMs: cpuAfter - cpuBefore,
        };
        live.samples.push(sample);
        console.log(
          `round ${round} ${live.spec.key.padEnd(8)} ${Math.round(sample.reqPerSec).toString().padStart(6)} req/s  ${((sample.contenderCpuMs / Math.max(1, sample.requests)) * 1000).toFixed(0)} µs CPU/req  p50 ${sample.p50} ms  p99 ${sample.p99} ms  ${delivery ? deliveryLine(delivery) : `upstream ${(up.calls / Math.max(1, sample.requests)).toFixed(3)}/req`}${failures ? `  FAILURES ${failures}` : ''}`,
        );
      }
    }

    // Issue 17's ratio as an app sees it: the same unpaced load while Polar answers in latencyMs (a real
    // Polar is a network hop away; the fake upstream above answers at once, which flatters getState per request).
    const entitlementLives = lives.filter((l) => l.spec.suite === 'entitlements');
    if (cfg.latencyMs > 0 && entitlementLives.length) {
      console.log(`entitlements with upstream +${cfg.latencyMs} ms: unpaced, ${cfg.connections} connections, ${cfg.durationS}s each`);
      await upstream.call('latency', cfg.latencyMs);
      for (let round = 1; round <= cfg.rounds; round++) {
        for (const live of entitlementLives.map((_, i) => entitlementLives[(i + round - 1) % entitlementLives.length]!)) {
          const result = await load(live, cfg.durationS, cfg.connections, null);
          await drain(cfg.latencyMs);
          live.upstreamLatencyReqPerSec.push(result.requests.average);
          live.latencyFailures += countOutcome(live.spec.suite, result).failures;
          console.log(`upstream+${cfg.latencyMs} ${round} ${live.spec.key.padEnd(8)} ${Math.round(result.requests.average).toString().padStart(6)} req/s`);
        }
      }
      await upstream.call('latency', 0);
    }

    if (cfg.latencyMs > 0 && cfg.latencyDurationS > 0) {
      console.log(
        `latency phase: upstream adds ${cfg.latencyMs} ms; ${cfg.latencyRate} req/s offered over ${cfg.connections} connections, ${cfg.latencyDurationS}s each`,
      );
      await upstream.call('latency', cfg.latencyMs);
      const runs = new Map<Live, Array<NonNullable<Live['latency']>>>();
      for (let round = 1; round <= cfg.rounds; round++) {
        const order = lives.map((_, i) => lives[(i + round - 1) % lives.length]);
        for (const live of order) {
          await upstream.call('reset');
          await startDeliveryWindow(live);
          await live.child.call('loop-delay-start');
          startLoopDelay();
          const portal = portalRequests(live.spec);
          const deliveries = live.webhookLoad;
          const result = await pacedLoad({
            url: live.url,
            request: (i) => {
              if (!deliveries) return portal[i % portal.length];
              const d = deliveries.delivery();
              return {
                method: 'POST',
                path: live.spec.path,
                headers: d.headers,
                body: d.body,
                answered: (status) => deliveries.answer(d.id, status),
              };
            },
            succeeded: (status) => succeeded(live.spec.suite, status),
            rate: cfg.latencyRate,
            durationS: cfg.latencyDurationS,
            connections: cfg.connections,
          });
          const generatorLoop = stopLoopDelay();
          const contenderLoop = await live.child.call<LoopDelay>('loop-delay-stop');
          await drain(cfg.latencyMs);
          const up = await upstream.call<{ calls: number; p99Ms: number }>('stats');
          const delivery = await endDeliveryWindow(live);
          live.latencyFailures += result.failures;
          const run = {
            p50: result.p50,
            p99: result.p99,
            upstreamP99: up.p99Ms,
            upstreamCalls: up.calls,
            requests: result.sent,
            contenderLoopP99: contenderLoop.p99,
            contenderLoopMax: contenderLoop.max,
            generatorLoopP99: generatorLoop.p99,
          };
          runs.set(live, [...(runs.get(live) ?? []), run]);
          console.log(
            `latency ${round} ${live.spec.key.padEnd(8)} p50 ${run.p50.toFixed(1)} ms  p99 ${run.p99.toFixed(1)} ms  (upstream's own p99 ${up.p99Ms.toFixed(1)} ms; ` +
              `event-loop lag p99/max: contender ${contenderLoop.p99.toFixed(1)}/${contenderLoop.max.toFixed(0)} ms, load generator ${generatorLoop.p99.toFixed(1)} ms)` +
              (delivery ? `  ${deliveryLine(delivery)}` : ''),
          );
        }
      }
      for (const [live, list] of runs) {
        live.latency = {
          p50: median(list.map((r) => r.p50)),
          p99: median(list.map((r) => r.p99)),
          upstreamP99: median(list.map((r) => r.upstreamP99)),
          upstreamCalls: list.reduce((a, r) => a + r.upstreamCalls, 0),
          requests: list.reduce((a, r) => a + r.requests, 0),
          contenderLoopP99: median(list.map((r) => r.contenderLoopP99)),
          contenderLoopMax: Math.max(...list.map((r) => r.contenderLoopMax)),
          generatorLoopP99: median(list.map((r) => r.generatorLoopP99)),
        };
      }
      await upstream.call('latency', 0);
    }

    if (cfg.soakS > 0) {
      console.log(
        `soak (RSS flatness): ${cfg.soakSettleS}s to settle, then ${cfg.soakS}s traced, continuous load, our contenders`,
      );
      // The webhook contenders' memory is the exactly-once ledger's business, not this soak's.
      for (const live of lives.filter((l) => l.spec.ours && l.spec.suite !== 'webhooks')) {
        const trace: number[] = [];
        await load(live, cfg.soakSettleS + cfg.soakS, cfg.connections, trace);
        // The tracer samples every 250 ms: drop what fell in the settling time.
        live.rssTrace = trace.slice(Math.round(cfg.soakSettleS * 4));
        const s = summarise(live, cfg);
        console.log(
          `soak ${live.spec.key.padEnd(8)} RSS ${s.rssFirstTenthMb.toFixed(1)} → ${s.rssLastTenthMb.toFixed(1)} MB (${s.rssDriftPct.toFixed(1)}%)`,
        );
      }
    }

    for (const live of lives) live.peakRssKb = await rssKb(live.child, 'VmHWM');
  } finally {
    await Promise.all(lives.map((l) => l.child.stop()));
    await upstream.stop();
    await redis?.stop();
  }

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machineLine(),
    mode: cfg.quick ? 'quick' : 'full',
    rounds: cfg.rounds,
    durationS: cfg.durationS,
    connections: cfg.connections,
    latencyMs: cfg.latencyMs,
    latencyRate: cfg.latencyRate,
    contenderNodeArgs: cfg.contenderNodeArgs,
    contenderNodeVersion,
    elapsedS: Math.round((Date.now() - started) / 1000),
    loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
    contenders: lives.map((l) => summarise(l, cfg)),
  };
  console.log('');
  console.log(renderTable(report));
  mkdirSync(resultsDir, { recursive: true });
  // Runs that do not publish keep their figures apart from the published ones.
  const jsonName = cfg.write ? `${report.mode}-latest.json` : 'last-run.json';
  writeFileSync(join(resultsDir, jsonName), JSON.stringify(report, null, 2) + '\n');
  if (cfg.write) {
    const historyFile = join(resultsDir, 'history.jsonl');
    const previous = existsSync(historyFile)
      ? readFileSync(historyFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as RunHistoryEntry)
      : [];
    const history = [...previous, historyEntry(report)];
    writeFileSync(historyFile, history.map((h) => JSON.stringify(h)).join('\n') + '\n');
    writeResults(report, history);
    console.log(`wrote bench/RESULTS.md (${report.elapsedS}s)`);
  } else {
    console.log(
      `(quick, partial or non-default run: bench/RESULTS.md left alone; pass --write to replace it) ${report.elapsedS}s`,
    );
  }
  if (cfg.profile) {
    const dir = join(resultsDir, 'profiles');
    console.log(summariseProfile(dir, cfg.profile, readFileSync));
  }
  if (report.contenders.some((c) => c.failures > 0)) process.exitCode = 1;
  // A delivery of ours acknowledged without a run, or run twice, is a bug, whatever the speed.
  for (const c of report.contenders.filter((x) => x.ours && x.deliveries)) {
    if (c.deliveries!.answeredWithoutRun > 0 || c.deliveries!.ranMoreThanOnce > 0) {
      console.error(`${c.key}: deliveries not handled exactly once`);
      process.exitCode = 1;
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
