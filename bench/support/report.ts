import type { ExactlyOnceCheck } from './webhook-load.js';
import { median } from './stats.js';

/** What one contender did over all rounds (medians across rounds where it says so). */
/** Webhook contenders: the exactly-once check, summed over every window (max runs: the highest). */
export type DeliveryTally = ExactlyOnceCheck;

export interface ContenderSummary {
  key: string;
  label: string;
  ours: boolean;
  /** `portal` visits, signed `webhooks` deliveries or the guarded route (older reports: portal). */
  suite?: 'portal' | 'webhooks' | 'entitlements';
  deliveries?: DeliveryTally;
  /** Median over rounds of autocannon's average req/s. */
  reqPerSec: number;
  reqPerSecRounds: number[];
  /** Entitlement contenders: median req/s (and per round) of unpaced load while the upstream adds `latencyMs`. */
  upstreamLatencyReqPerSec?: number;
  upstreamLatencyReqPerSecRounds?: number[];
  /** Median over rounds, ms (autocannon's resolution is 1 ms). */
  p50: number;
  p99: number;
  upstreamCallsPerRequest: number;
  /** Upstream calls per request in each round (older reports: absent). */
  upstreamCallsPerRequestRounds?: number[];
  /** Entitlement contenders: upstream calls per bench customer in each round (older reports: absent). */
  upstreamCallsPerCustomerRounds?: number[];
  /** Median over rounds of the contender's CPU time per request, µs (robust to a busy machine). */
  cpuUsPerRequest: number;
  failures: number;
  requests: number;
  peakRssMb: number;
  rssFirstTenthMb: number;
  rssLastTenthMb: number;
  rssDriftPct: number;
  rssTracedSeconds: number;
  /** Latency phase (upstream adds `configLatencyMs`). */
  latencyP50: number;
  latencyP99: number;
  upstreamOwnP99: number;
  addedP99: number;
  latencyUpstreamCallsPerRequest: number;
  /** Event-loop delay during the latency phase, ms: the contender's p99 and max, the load generator's p99. */
  contenderLoopDelayP99: number;
  contenderLoopDelayMax: number;
  generatorLoopDelayP99: number;
  /** Upstream CPU time / wall time while this contender was loaded (1 = one full core). */
  upstreamCpuShare: number;
  upstreamCpuShareMax: number;
  configLatencyMs: number;
  /** VmRSS once a second over the loaded time, MB. */
  rssTraceMb: number[];
}

/** One bench run, as written to bench/results/<mode>-latest.json. */
export interface BenchReport {
  date: string;
  machine: string;
  mode: 'quick' | 'full';
  rounds: number;
  durationS: number;
  connections: number;
  latencyMs: number;
  /** Offered load of the latency phase, req/s over all connections. */
  latencyRate: number;
  /** Node flags given to every contender (none by default). */
  contenderNodeArgs: string[];
  /** Node version the contenders ran on (the orchestrator's unless --node was given). */
  contenderNodeVersion: string;
  elapsedS: number;
  /** 1/5/15-minute load averages when the run began and ended (other work on the machine). */
  loadAverage: { atStart: number[]; atEnd: number[] };
  contenders: ContenderSummary[];
}

/** The figures the targets are about, one line per full run (bench/results/history.jsonl). */
export interface RunHistoryEntry {
  date: string;
  expressVsPeer: number;
  fastifyVsPeer: number;
  reuseVsPeer: number;
  reuseCallsPerRequest: number;
  expressAddedP99: number;
  fastifyAddedP99: number;
  reuseP99: number;
  floorAddedP99: number;
  rssDriftPct: { express: number; fastify: number; reuse: number };
  /** Portal on Express against the bare floor's req/s (issue 19: ≥ 0.75×). */
  expressVsFloor?: number;
  /** Webhook deliveries/s against the peer's and the floor's (issue 19). */
  webhooks?: { expressVsPeer: number; fastifyVsPeer: number; expressVsFloor: number; fastifyVsFloor: number };
  /** Issue 17: the cached guard's req/s against getState per request, its CPU/request against the unguarded route. */
  entitlements?: { cachedVsGetState: number; cpuVsUnguarded: number; cachedVsGetStateAtLatency?: number };
}

/** The history line of a report. */
export function historyEntry(report: BenchReport): RunHistoryEntry {
  const by = (k: string) => report.contenders.find((c) => c.key === k);
  const peer = by('peer')?.reqPerSec ?? NaN;
  const round = (n: number | undefined, d = 2) =>
    n === undefined || !Number.isFinite(n) ? NaN : Math.round(n * 10 ** d) / 10 ** d;
  return {
    date: report.date,
    expressVsPeer: round((by('express')?.reqPerSec ?? NaN) / peer),
    fastifyVsPeer: round((by('fastify')?.reqPerSec ?? NaN) / peer),
    reuseVsPeer: round((by('reuse')?.reqPerSec ?? NaN) / peer),
    reuseCallsPerRequest: round(by('reuse')?.upstreamCallsPerRequest, 4),
    expressAddedP99: round(by('express')?.addedP99, 1),
    fastifyAddedP99: round(by('fastify')?.addedP99, 1),
    reuseP99: round(by('reuse')?.latencyP99, 1),
    floorAddedP99: round(by('floor')?.addedP99, 1),
    rssDriftPct: {
      express: round(by('express')?.rssDriftPct, 1),
      fastify: round(by('fastify')?.rssDriftPct, 1),
      reuse: round(by('reuse')?.rssDriftPct, 1),
    },
    expressVsFloor: round((by('express')?.reqPerSec ?? NaN) / (by('floor')?.reqPerSec ?? NaN)),
    webhooks: {
      expressVsPeer: round((by('wh-express')?.reqPerSec ?? NaN) / (by('wh-peer')?.reqPerSec ?? NaN)),
      fastifyVsPeer: round((by('wh-fastify')?.reqPerSec ?? NaN) / (by('wh-peer')?.reqPerSec ?? NaN)),
      expressVsFloor: round((by('wh-express')?.reqPerSec ?? NaN) / (by('wh-floor')?.reqPerSec ?? NaN)),
      fastifyVsFloor: round((by('wh-fastify')?.reqPerSec ?? NaN) / (by('wh-floor')?.reqPerSec ?? NaN)),
    },
    entitlements: {
      cachedVsGetState: round((by('entitled')?.reqPerSec ?? NaN) / (by('getstate')?.reqPerSec ?? NaN)),
      cachedVsGetStateAtLatency: round(
        (by('entitled')?.upstreamLatencyReqPerSec ?? NaN) / (by('getstate')?.upstreamLatencyReqPerSec ?? NaN),
      ),
      cpuVsUnguarded: round((by('entitled')?.cpuUsPerRequest ?? NaN) / (by('unguarded')?.cpuUsPerRequest ?? NaN)),
    },
  };
}

function renderHistory(history: RunHistoryEntry[]): string {
  if (history.length === 0) return '';
  const x = (n: number | undefined) => fmt(n ?? NaN, 2) + '×';
  const row = (label: string, h: Omit<RunHistoryEntry, 'date'>) =>
    `| ${label} | ${fmt(h.expressVsPeer, 2)}× | ${fmt(h.fastifyVsPeer, 2)}× | ${fmt(h.reuseVsPeer, 2)}× | ${x(h.expressVsFloor)} | ${fmt(h.reuseCallsPerRequest, 4)} | ${fmt(h.expressAddedP99, 1)} | ${fmt(h.fastifyAddedP99, 1)} | ${fmt(h.reuseP99, 1)} | ${fmt(h.floorAddedP99, 1)} | ${fmt(h.rssDriftPct.express, 1)} / ${fmt(h.rssDriftPct.fastify, 1)} / ${fmt(h.rssDriftPct.reuse, 1)} | ${x(h.webhooks?.expressVsPeer)} / ${x(h.webhooks?.fastifyVsPeer)} | ${x(h.webhooks?.expressVsFloor)} / ${x(h.webhooks?.fastifyVsFloor)} | ${x(h.entitlements?.cachedVsGetState)} (${x(h.entitlements?.cachedVsGetStateAtLatency)} at Polar's latency) / ${x(h.entitlements?.cpuVsUnguarded)} |`;
  const pick = (f: (h: RunHistoryEntry) => number | undefined) =>
    median(history.map((h) => f(h) ?? NaN).filter(Number.isFinite));
  const med: Omit<RunHistoryEntry, 'date'> = {
    expressVsPeer: pick((h) => h.expressVsPeer),
    fastifyVsPeer: pick((h) => h.fastifyVsPeer),
    reuseVsPeer: pick((h) => h.reuseVsPeer),
    reuseCallsPerRequest: pick((h) => h.reuseCallsPerRequest),
    expressAddedP99: pick((h) => h.expressAddedP99),
    fastifyAddedP99: pick((h) => h.fastifyAddedP99),
    reuseP99: pick((h) => h.reuseP99),
    floorAddedP99: pick((h) => h.floorAddedP99),
    rssDriftPct: {
      express: pick((h) => h.rssDriftPct.express),
      fastify: pick((h) => h.rssDriftPct.fastify),
      reuse: pick((h) => h.rssDriftPct.reuse),
    },
    expressVsFloor: pick((h) => h.expressVsFloor),
    webhooks: {
      expressVsPeer: pick((h) => h.webhooks?.expressVsPeer),
      fastifyVsPeer: pick((h) => h.webhooks?.fastifyVsPeer),
      expressVsFloor: pick((h) => h.webhooks?.expressVsFloor),
      fastifyVsFloor: pick((h) => h.webhooks?.fastifyVsFloor),
    },
    entitlements: {
      cachedVsGetState: pick((h) => h.entitlements?.cachedVsGetState),
      cpuVsUnguarded: pick((h) => h.entitlements?.cpuVsUnguarded),
      cachedVsGetStateAtLatency: pick((h) => h.entitlements?.cachedVsGetStateAtLatency),
    },
  };
  return `## The last ${history.length} full runs on this machine

| run | Express vs peer | Fastify vs peer | reuse vs peer | Express vs floor | reuse upstream calls/req | Express added p99 ms | Fastify added p99 ms | reuse p99 ms | floor added p99 ms | RSS drift % (Express / Fastify / reuse) | webhooks vs peer (Express / Fastify) | webhooks vs floor (Express / Fastify) | entitlement guard: req/s vs getState, CPU vs unguarded |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${history.map((h) => row(h.date.slice(0, 16).replace('T', ' '), h)).join('\n')}
${row('**median**', med)}

Targets: portal Express ≥ 0.9× the peer and ≥ 0.75× the floor, Fastify ≥ 1.2×, reuse ≥ 3× and ≤ 0.05 calls/req, added p99 ≤ 5 ms, RSS drift within ±10%; webhooks (memory dedupe) Express ≥ 1.2× and Fastify ≥ 1.5× the peer, both ≥ 0.6× the floor; entitlement guard (cached) ≥ 10× getState per request, CPU ≤ 1.15× unguarded. Runs before a suite's contenders existed show –.
`;
}

interface TargetCheck {
  name: string;
  measured: string;
  met: boolean | null;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const ratio = (a: number, b: number | undefined) => (b && Number.isFinite(a) ? a / b : NaN);

const portalOf = (report: BenchReport) => report.contenders.filter((c) => (c.suite ?? 'portal') === 'portal');
const webhooksOf = (report: BenchReport) => report.contenders.filter((c) => c.suite === 'webhooks');
const entitlementsOf = (report: BenchReport) => report.contenders.filter((c) => c.suite === 'entitlements');

function rows(report: BenchReport): string[][] {
  const peer = report.contenders.find((c) => c.key === 'peer')?.reqPerSec;
  const floor = report.contenders.find((c) => c.key === 'floor')?.reqPerSec;
  const peerCpu = report.contenders.find((c) => c.key === 'peer')?.cpuUsPerRequest;
  return portalOf(report).map((c) => [
    c.label,
    fmt(c.reqPerSec),
    fmt(ratio(c.reqPerSec, peer), 2) + '×',
    fmt(ratio(c.reqPerSec, floor), 2) + '×',
    fmt(c.p50),
    fmt(c.p99),
    fmt(c.cpuUsPerRequest),
    fmt(ratio(peerCpu ?? NaN, c.cpuUsPerRequest), 2) + '×',
    fmt(c.upstreamCallsPerRequest, 3),
    fmt(c.peakRssMb),
    Number.isFinite(c.rssDriftPct) ? (c.rssDriftPct >= 0 ? '+' : '') + fmt(c.rssDriftPct, 1) + '%' : '–',
    fmt(c.latencyP99, 1),
    fmt(c.addedP99, 1),
    String(c.failures),
  ]);
}

const HEADERS = [
  'contender',
  'req/s (median)',
  'vs peer',
  'vs floor',
  'p50 ms',
  'p99 ms',
  'CPU µs/req',
  'peer CPU / CPU',
  'upstream calls/req',
  'peak RSS MB',
  'RSS first→last tenth',
  'p99 ms @latency',
  'added p99 ms',
  'failed',
];

const WEBHOOK_HEADERS = [
  'contender',
  'deliveries/s (median)',
  'vs peer',
  'vs floor',
  'p50 ms',
  'p99 ms',
  'CPU µs/delivery',
  'peer CPU / CPU',
  'p99 ms @200/s',
  'handler runs / webhook-id',
  'answered 2xx, never run',
  'ids run twice',
  'peak RSS MB',
  'failed',
];

function webhookRows(report: BenchReport): string[][] {
  const peer = report.contenders.find((c) => c.key === 'wh-peer');
  const floor = report.contenders.find((c) => c.key === 'wh-floor');
  return webhooksOf(report).map((c) => {
    const d = c.deliveries;
    return [
      c.label,
      fmt(c.reqPerSec),
      fmt(ratio(c.reqPerSec, peer?.reqPerSec), 2) + '×',
      fmt(ratio(c.reqPerSec, floor?.reqPerSec), 2) + '×',
      fmt(c.p50),
      fmt(c.p99),
      fmt(c.cpuUsPerRequest),
      fmt(ratio(peer?.cpuUsPerRequest ?? NaN, c.cpuUsPerRequest), 2) + '×',
      fmt(c.latencyP99, 1),
      d ? `${fmt(d.runs / d.runIds, 3)} (max ${d.maxRunsPerId})` : '–',
      d ? String(d.answeredWithoutRun) : '–',
      d ? String(d.ranMoreThanOnce) : '–',
      fmt(c.peakRssMb),
      String(c.failures),
    ];
  });
}

const ENTITLEMENT_HEADERS = [
  'contender',
  'req/s (median)',
  'vs getState/request',
  'p50 ms',
  'p99 ms',
  'CPU µs/req',
  'CPU vs unguarded',
  'req/s, Polar +latency',
  'vs getState/request, Polar +latency',
  'Polar calls/req (per round)',
  'peak RSS MB',
  'p99 ms @latency',
  'failed',
];

function entitlementRows(report: BenchReport): string[][] {
  const getstate = report.contenders.find((c) => c.key === 'getstate');
  const unguarded = report.contenders.find((c) => c.key === 'unguarded');
  return entitlementsOf(report).map((c) => [
    c.label,
    fmt(c.reqPerSec),
    fmt(ratio(c.reqPerSec, getstate?.reqPerSec), 2) + '×',
    fmt(c.p50),
    fmt(c.p99),
    fmt(c.cpuUsPerRequest),
    fmt(ratio(c.cpuUsPerRequest, unguarded?.cpuUsPerRequest), 2) + '×',
    fmt(c.upstreamLatencyReqPerSec ?? NaN),
    fmt(ratio(c.upstreamLatencyReqPerSec ?? NaN, getstate?.upstreamLatencyReqPerSec), 2) + '×',
    `${fmt(c.upstreamCallsPerRequest, 4)}${c.upstreamCallsPerRequestRounds ? ` (${c.upstreamCallsPerRequestRounds.map((x) => fmt(x, 3)).join(' / ')})` : ''}`,
    fmt(c.peakRssMb),
    fmt(c.latencyP99, 1),
    String(c.failures),
  ]);
}

/** One refresh of a customer's state: `getState` and the past-due `subscriptions.list`. */
const REFRESH_CALLS = 2;

/** The issue's targets, checked against this run. */
export function checkTargets(report: BenchReport): TargetCheck[] {
  const by = (k: string) => report.contenders.find((c) => c.key === k);
  const peer = by('peer')?.reqPerSec;
  const floorAdded = by('floor')?.addedP99;
  const checks: TargetCheck[] = [];
  const ratioCheck = (key: string, min: number, what: string) => {
    const c = by(key);
    if (!c || !peer) return;
    const r = c.reqPerSec / peer;
    checks.push({ name: `${what} ≥ ${min}× peer req/s`, measured: `${r.toFixed(2)}×`, met: r >= min });
  };
  ratioCheck('express', 0.9, 'reuse off, Express');
  const express = by('express');
  const floor = by('floor');
  if (express && floor) {
    const r = express.reqPerSec / floor.reqPerSec;
    checks.push({ name: 'reuse off, Express ≥ 0.75× the floor’s req/s', measured: `${r.toFixed(2)}×`, met: r >= 0.75 });
  }
  ratioCheck('fastify', 1.2, 'reuse off, Fastify');
  ratioCheck('reuse', 3, 'reuse on, repeat visits');
  const reuse = by('reuse');
  if (reuse) {
    checks.push({
      name: 'reuse on: ≤ 0.05 upstream calls per request',
      measured: reuse.upstreamCallsPerRequest.toFixed(4),
      met: reuse.upstreamCallsPerRequest <= 0.05,
    });
  }
  const whPeer = by('wh-peer');
  const whFloor = by('wh-floor');
  const whCheck = (key: string, against: ContenderSummary | undefined, min: number, what: string) => {
    const c = by(key);
    if (!c || !against) return;
    const r = c.reqPerSec / against.reqPerSec;
    checks.push({ name: `webhooks, ${what}`, measured: `${r.toFixed(2)}×`, met: r >= min });
  };
  whCheck('wh-express', whPeer, 1.2, 'Express ≥ 1.2× the peer’s deliveries/s');
  whCheck('wh-fastify', whPeer, 1.5, 'Fastify ≥ 1.5× the peer’s deliveries/s');
  whCheck('wh-express', whFloor, 0.6, 'Express, memory dedupe ≥ 0.6× the floor’s deliveries/s');
  whCheck('wh-fastify', whFloor, 0.6, 'Fastify, memory dedupe ≥ 0.6× the floor’s deliveries/s');
  for (const c of webhooksOf(report).filter((x) => x.ours && x.deliveries)) {
    const d = c.deliveries!;
    checks.push({
      name: `${c.label}: every webhook-id answered 2xx ran its handler exactly once (${d.redeliveries} retries of answered ids among the deliveries)`,
      measured: `${d.runs} runs over ${d.runIds} ids, ${d.answeredIds} ids answered 2xx; ${d.answeredWithoutRun} answered without a run, ${d.ranMoreThanOnce} run twice`,
      met: d.answeredWithoutRun === 0 && d.ranMoreThanOnce === 0 && d.runs === d.runIds,
    });
  }
  // Issue 17: the cached guard against the per-request getState check and the unguarded route.
  const entitled = by('entitled');
  const getstate = by('getstate');
  const unguarded = by('unguarded');
  if (entitled && getstate) {
    const r = entitled.reqPerSec / getstate.reqPerSec;
    checks.push({
      name: 'entitlement guard (cached) ≥ 10× getState-per-request req/s',
      measured: `${r.toFixed(2)}× (${entitled.reqPerSec.toFixed(0)} vs ${getstate.reqPerSec.toFixed(0)} req/s)`,
      met: r >= 10,
    });
    if (entitled.upstreamLatencyReqPerSec && getstate.upstreamLatencyReqPerSec) {
      const withLatency = entitled.upstreamLatencyReqPerSec / getstate.upstreamLatencyReqPerSec;
      checks.push({
        name: `entitlement guard (cached) ≥ 10× getState-per-request req/s, Polar answering in ${report.latencyMs} ms`,
        measured: `${withLatency.toFixed(2)}× (${entitled.upstreamLatencyReqPerSec.toFixed(0)} vs ${getstate.upstreamLatencyReqPerSec.toFixed(0)} req/s)`,
        met: withLatency >= 10,
      });
    }
  }
  if (entitled && unguarded) {
    const r = entitled.cpuUsPerRequest / unguarded.cpuUsPerRequest;
    checks.push({
      name: 'entitlement guard (cached): CPU per request ≤ 1.15× the unguarded route',
      measured: `${r.toFixed(2)}× (${entitled.cpuUsPerRequest.toFixed(0)} vs ${unguarded.cpuUsPerRequest.toFixed(0)} µs)`,
      met: r <= 1.15,
    });
  }
  if (entitled) {
    // Steady state: a round holding a TTL refresh (2 calls per customer per ttlMs) is not; the
    // median round is, and the whole run's figure is shown beside it.
    const rounds = entitled.upstreamCallsPerRequestRounds ?? [entitled.upstreamCallsPerRequest];
    const steady = median(rounds);
    // Each window opens more than ttlMs after the contender's last one (the other contenders ran in
    // between), so every customer's background refresh can fall inside it: calls per customer show
    // whether calls follow requests (they would be in the hundreds) or the TTL (at most one refresh).
    const perCustomer = entitled.upstreamCallsPerCustomerRounds;
    const oneRefreshAtMost = perCustomer !== undefined && perCustomer.every((x) => x <= REFRESH_CALLS);
    checks.push({
      name: `entitlement guard (cached): 0 Polar calls per request at steady state (median round; a window may hold each customer's one background refresh per ttlMs, ${REFRESH_CALLS} calls)`,
      measured:
        `${steady.toFixed(5)} (rounds ${rounds.map((x) => x.toFixed(4)).join(' / ')}; whole run ${entitled.upstreamCallsPerRequest.toFixed(5)})` +
        (perCustomer ? `; calls per customer per window ${perCustomer.map((x) => x.toFixed(2)).join(' / ')}` : ''),
      met: steady < 0.001 || oneRefreshAtMost,
    });
  }
  for (const c of portalOf(report).filter((x) => x.ours)) {
    if (Number.isFinite(c.addedP99)) {
      checks.push({
        name: `${c.label}: added p99 over the upstream's own ≤ 5 ms (${report.connections} connections, ${report.latencyRate} req/s, upstream +${report.latencyMs} ms)`,
        measured:
          (c.latencyUpstreamCallsPerRequest > 0.5
            ? `${c.addedP99.toFixed(1)} ms (p99 ${c.latencyP99.toFixed(1)} ms vs upstream ${c.upstreamOwnP99.toFixed(1)} ms)`
            : `${c.addedP99.toFixed(1)} ms (answers without calling the upstream: all of its p99 counts)`) +
          (floorAdded !== undefined && Number.isFinite(floorAdded)
            ? `; the bare node:http + SDK floor adds ${floorAdded.toFixed(1)} ms under the same conditions`
            : ''),
        met: c.addedP99 <= 5,
      });
    }
  }
  for (const c of [...portalOf(report), ...entitlementsOf(report)].filter((x) => x.ours)) {
    checks.push({
      name: `${c.label}: RSS flat within 10% (first vs last tenth of ${c.rssTracedSeconds}s of continuous load)`,
      measured: `${c.rssFirstTenthMb.toFixed(1)} → ${c.rssLastTenthMb.toFixed(1)} MB (${c.rssDriftPct >= 0 ? '+' : ''}${c.rssDriftPct.toFixed(1)}%)`,
      // A quick run's soak is too short to tell heap sizing from a leak.
      met: report.mode === 'quick' ? null : Math.abs(c.rssDriftPct) <= 10,
    });
  }
  return checks;
}

/** Plain-text table for the terminal. */
function textTable(headers: string[], body: string[][]): string[] {
  if (body.length === 0) return [];
  const all = [headers, ...body];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ''];
}

export function renderTable(report: BenchReport): string {
  const out = [
    ...textTable(HEADERS, rows(report)),
    ...textTable(WEBHOOK_HEADERS, webhookRows(report)),
    ...textTable(ENTITLEMENT_HEADERS, entitlementRows(report)),
  ];
  for (const t of checkTargets(report)) {
    out.push(
      `${t.met === null ? 'N/A   ' : t.met ? 'MET   ' : 'MISSED'} ${t.name}: ${t.measured}${t.met === null ? ' (quick run: not judged)' : ''}`,
    );
  }
  const shares = report.contenders.map((c) => c.upstreamCpuShareMax);
  out.push(`upstream CPU: at most ${(Math.max(...shares) * 100).toFixed(0)}% of one core during any window`);
  return out.join('\n');
}

/** The heading of the section `npm run bench:usage` keeps in bench/RESULTS.md (before the chaos section). */
export const USAGE_HEADING = '## Usage recorder: record() cost, batching, exact counts under faults';

/** The heading of the section `npm run bench:chaos` keeps at the end of bench/RESULTS.md. */
export const CHAOS_HEADING = '## Chaos run: Redis frozen and thawed under load';

/**
 * bench/RESULTS.md; `history` holds the last full runs, this one included; `chaosSection` is the
 * last chaos run's section (bench/results/chaos-latest.md), kept at the end.
 */
export function renderMarkdown(
  report: BenchReport,
  history: RunHistoryEntry[] = [],
  chaosSection = '',
  notesSection = '',
): string {
  const mdRow = (r: string[]) => `| ${r.join(' | ')} |`;
  /** A markdown table: the first column left-aligned, the figures right-aligned. */
  const mdTable = (headers: string[], body: string[][]) =>
    [mdRow(headers), mdRow(headers.map((_, i) => (i === 0 ? '---' : '---:'))), ...body.map(mdRow)].join('\n');
  const targets = checkTargets(report);
  const webhooks = webhookRows(report);
  const entitlements = entitlementRows(report);
  const shareLines = portalOf(report).map(
    (c) => `${c.key} ${(c.upstreamCpuShare * 100).toFixed(0)}% (max ${(c.upstreamCpuShareMax * 100).toFixed(0)}%)`,
  );
  return `# Benchmark results

Written by \`npm run bench\` (bench/run.ts). Compare ratios within one run, never absolute numbers
across runs or machines: the load generator, the fake upstream and the contender share the cores.

- **Machine:** ${report.machine}
- **Date:** ${report.date}
- **Run:** ${report.mode}, ${report.rounds} interleaved rounds × ${report.durationS} s per contender after a warm-up, ${report.connections} connections, ${report.elapsedS} s in all
- **Contenders:** Node ${report.contenderNodeVersion ?? 'as the orchestrator'}; node flags: ${report.contenderNodeArgs?.length ? report.contenderNodeArgs.join(' ') : 'none (defaults)'}
- **Machine load:** load average ${report.loadAverage?.atStart.join(' / ') ?? '?'} at the start, ${report.loadAverage?.atEnd.join(' / ') ?? '?'} at the end (1 / 5 / 15 min, ${report.machine.split(', ')[1]}); other work shared the machine
- **Load:** \`GET\` the portal route as 100 different customers in turn (header the bench apps trust), autocannon in the orchestrator process; each contender and the upstream in its own process
${notesSection ? `\n${notesSection}\n` : ''}
## Portal

${mdTable(HEADERS, rows(report))}

req/s, p50, p99: medians over rounds, upstream answering at once. "CPU µs/req": the contender
process's own CPU time per request (median over rounds) — the cost figure least disturbed by
other work on the machine; "peer CPU / CPU" above 1 means cheaper than the peer. Per round (req/s):
${portalOf(report)
  .map(
    (c) =>
      `${c.key} ${c.reqPerSecRounds.join(' / ')}${c.upstreamLatencyReqPerSecRounds ? ` (Polar +latency: ${c.upstreamLatencyReqPerSecRounds.join(' / ')})` : ''}`,
  )
  .join('; ')}.
"p99 ms @latency" and "added p99": a separate phase where the upstream waits ${report.latencyMs} ms before answering
and requests leave at evenly spaced instants, ${report.latencyRate} per second, over a pool of ${report.connections} keep-alive
connections (bench/support/paced-load.ts; below every contender's capacity, so the figure is the
contender's own cost, not queueing — autocannon's rate mode fires all connections on one tick); added p99 = the contender's p99 minus the
upstream's own p99 handling time in that phase (medians over the same interleaved rounds); for
the reuse contender, which answers without the upstream, all of its p99. The
floor's added p99 is what the machine, the load generator and the SDK's fetch cost without any
framework. The saturated p99 is the "p99 ms" column.
Peak RSS: VmHWM of the contender process at the end. RSS first→last tenth (our contenders): a
separate soak of continuous load per contender; after a settling time (RSS climbs for the first
7–10 s of load while V8 and the allocator size their heaps, in every contender including the
floor), the mean VmRSS over the first and the last tenth of the traced time. The once-a-second
trace is in bench/results/full-latest.json.

### Latency phase (upstream +${report.latencyMs} ms, ${report.latencyRate} req/s over ${report.connections} connections)

| contender | p50 ms | p99 ms | upstream's own p99 ms | added p99 ms | contender event-loop lag p99 / max ms | load generator event-loop lag p99 ms |
|---|---:|---:|---:|---:|---:|---:|
${report.contenders
  .filter((c) => Number.isFinite(c.latencyP99))
  .map((c) =>
    mdRow([
      c.label,
      fmt(c.latencyP50, 1),
      fmt(c.latencyP99, 1),
      fmt(c.upstreamOwnP99, 1),
      fmt(c.addedP99, 1),
      `${fmt(c.contenderLoopDelayP99, 1)} / ${fmt(c.contenderLoopDelayMax)}`,
      fmt(c.generatorLoopDelayP99, 1),
    ]),
  )
  .join('\n')}

Event-loop lag (perf_hooks \`monitorEventLoopDelay\`, 5 ms timer, resolution subtracted) says how
late a due callback ran in that process: GC pauses, synchronous work, or no free core.
${
  webhooks.length
    ? `
## Webhooks

${mdTable(WEBHOOK_HEADERS, webhooks)}

Load: \`POST\` signed deliveries over ${report.connections} connections (autocannon, in the orchestrator): the exact bytes
the emulator renders for sign-ups to a monthly plan and a one-time product and a month of renewals
(\`order.created\`, \`order.paid\`, \`order.updated\`, \`subscription.created\`/\`active\`/\`updated\`, 2026-10 shapes),
each under a fresh \`webhook-id\` signed at send time (Standard Webhooks; the peer's SDK copy only
knows the legacy key, so its deliveries are signed with that). Every 20th delivery is a retry of an
id already answered 2xx, as Polar sends when an answer got lost. deliveries/s, p50, p99, CPU:
medians over the same interleaved rounds as the portal. "p99 ms @200/s": the paced phase (200
deliveries a second, evenly spaced). "handler runs / webhook-id": the contender's handler counts
its runs per id, read after every window and checked against the ids answered 2xx — ours and the
floor must show exactly 1 (max 1) with 0 answered-but-never-run; the peer has no dedupe, so a
retry runs its handler again. Redis dedupe: \`CacheModule\` over \`createKeyv(url)\` on a
redis-server the bench starts, as the README's Redis setup. Per round (deliveries/s):
${webhooksOf(report)
  .map((c) => `${c.key} ${c.reqPerSecRounds.join(' / ')}`)
  .join('; ')}.
`
    : ''
}${
    entitlements.length
      ? `
## Entitlements

${mdTable(ENTITLEMENT_HEADERS, entitlements)}

Load: \`GET /pro\` as the same 100 customers in turn, each holding one active subscription to the
\`pro\` plan's product, on one Nest app on Express (bench/contenders/entitle.ts) in three modes:
\`@RequiresSubscription({ plans: ['pro'] })\` on the module's cached customer state; the same check
calling \`CustomersService.getState\` on every request (what apps do without the guard); the same
handler with no check (the CPU reference). Every contender is sent each customer once before its
warm-up, so the cached guard starts the rounds holding every state. "Polar calls/req": calls the
fake Polar upstream counted per request, over the run and per round (answers still in flight when a
window closes count their calls, not their request, hence a little over 1 for getState per
request); a round holding a TTL refresh (2 calls per customer per \`ttlMs\`) shows it, the others
are the steady state. "Polar +latency": the same unpaced load while the fake Polar answers in the
run's latency (\`--latency\`, 50 ms by default: a nearby region; Polar's API is a network hop away),
which is what the per-request check waits for in production. Per round (req/s):
${entitlementsOf(report)
  .map((c) => `${c.key} ${c.reqPerSecRounds.join(' / ')}`)
  .join('; ')}.
`
      : ''
  }
## Targets

${targets.map((t) => `- ${t.met === null ? 'not judged (quick run)' : t.met ? '**met**' : '**missed**'} — ${t.name}: ${t.measured}`).join('\n')}

${renderHistory(history)}
## The upstream is not the bottleneck

Fake Polar upstream CPU time / wall time while each contender was loaded (100% = one core):
${shareLines.join(', ')}.
${chaosSection ? `\n${chaosSection}` : ''}`;
}
