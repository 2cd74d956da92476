import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where Polar's published OpenAPI document is expected, relative to the repository. */
export function resolveSpecPath(repoRoot: string): string {
  return process.env.POLAR_OPENAPI_SPEC
    ? path.resolve(process.env.POLAR_OPENAPI_SPEC)
    : path.resolve(repoRoot, '../shared/polar/openapi-2026-10.json');
}

type JsonSchema = { type?: string; anyOf?: JsonSchema[]; [key: string]: unknown };
type Parameter = { name?: string; in?: string; style?: string; explode?: boolean; schema?: JsonSchema };

/** A copy of the spec Prism can read, and how to remove it. */
export interface PrismSpec {
  file: string;
  /** Query parameters rewritten for Prism (see `derivePrismSpec`). */
  rewritten: string[];
  remove(): void;
}

/**
 * Prism 5 deserializes a query parameter by its schema's top-level `type`, so a nullable array
 * (`anyOf: [array, null]`, FastAPI's shape for every list filter) receives a single value as a
 * string and rejects it: `?sorting=-created_at`, which the SDK sends on every list call, fails
 * with "must be array" (stoplightio/prism#2675, open). A query string cannot express null, so
 * the derived copy (in the OS temp folder, never in the project) keeps only the array branch and
 * makes form's default `explode: true` explicit, which Prism otherwise treats as false. Nothing
 * else in the document changes.
 */
export function derivePrismSpec(specPath: string): PrismSpec {
  const doc = JSON.parse(readFileSync(specPath, 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const rewritten: string[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const levels = [item, ...Object.values(item)] as { parameters?: Parameter[] }[];
    for (const level of levels) {
      for (const param of Array.isArray(level?.parameters) ? level.parameters : []) {
        const branches = param.in === 'query' ? param.schema?.anyOf : undefined;
        if (!param.schema || !branches) continue;
        const arrays = branches.filter((b) => b.type === 'array');
        const nulls = branches.filter((b) => b.type === 'null');
        if (arrays.length !== 1 || arrays.length + nulls.length !== branches.length) continue;
        const { anyOf: _anyOf, ...annotations } = param.schema;
        param.schema = { ...annotations, ...arrays[0] };
        if ((param.style ?? 'form') === 'form' && param.explode === undefined) param.explode = true;
        rewritten.push(`${template} ${param.name ?? '?'}`);
      }
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'polar-contract-'));
  const file = path.join(dir, path.basename(specPath));
  writeFileSync(file, JSON.stringify(doc));
  return { file, rewritten, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running `prism proxy … --errors` child process. */
export interface PrismProxy {
  url: string;
  /** Log lines that report a violation or a Prism-made error (the suite's backstop check). */
  violationLogLines(): string[];
  /** Resolves once Prism's output has been quiet for `quietMs` (it logs after answering). */
  settled(quietMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// Prism colours its log with chalk; with colours off the lines are plain text we can match.
const LISTENING = /Prism is listening on (http:\/\/[\d.]+:\d+)/;

/**
 * Starts Prism 5 in proxy mode: every request is validated against the spec before it is
 * forwarded, every upstream response after it comes back; `--errors` turns an error-level
 * violation into a Prism problem+json answer instead of the upstream's.
 */
export async function startPrismProxy(options: {
  repoRoot: string;
  spec: string;
  upstream: string;
  startTimeoutMs?: number;
}): Promise<PrismProxy> {
  const bin = path.join(options.repoRoot, 'node_modules', '.bin', 'prism');
  if (!existsSync(bin)) {
    throw new Error(`Prism is not installed at ${bin}: run npm install (devDependency @stoplight/prism-cli)`);
  }
  const args = [
    'proxy',
    options.spec,
    options.upstream,
    '--errors',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    // One process: killing the child then stops the server (multiprocess forks a cluster worker).
    '--multiprocess',
    'false',
  ];
  const child: ChildProcess = spawn(bin, args, {
    cwd: options.repoRoot,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let pending = '';
  let lastOutputAt = Date.now();
  const onData = (chunk: Buffer): void => {
    lastOutputAt = Date.now();
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`Prism did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${lines.join('\n')}`));
    }, options.startTimeoutMs ?? 60_000);
    const check = (): void => {
      const match = lines.map((line) => LISTENING.exec(line)).find(Boolean);
      if (match) {
        cleanup();
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`Prism exited (code ${code}) before listening:\n${lines.join('\n')}${pending}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', onExit);
  });

  return {
    url,
    violationLogLines: () =>
      lines.filter(
        (line) =>
          (line.includes('Violation:') &&
            // Undeclared statuses are judged per request by the suite, which knows the status.
            !line.includes('Unable to match the returned status code')) ||
          line.includes('Request terminated with error'),
      ),
    settled: async (quietMs = 300) => {
      const deadline = Date.now() + 10_000;
      while (Date.now() - lastOutputAt < quietMs && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A plain reverse proxy in front of several emulators, so that one Prism can check them all. */
export interface UpstreamRouter {
  url: string;
  stop(): Promise<void>;
}

/**
 * Prism proxies to a single upstream, but the suite needs emulators started with different
 * options (member model, a tiny rate limit). Each emulator has its own access token, so the
 * router picks the emulator by the bearer token and passes bytes through unchanged.
 */
export async function startUpstreamRouter(routes: {
  byToken: Map<string, string>;
  fallback: string;
}): Promise<UpstreamRouter> {
  const server: Server = createServer((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const target = new URL(req.url ?? '/', (token && routes.byToken.get(token)) || routes.fallback);
    const upstream = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      // Only reached when an emulator is down; Prism then reports the upstream failure.
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One violation as Prism reports it in `sl-violations` or a problem+json `validation` list. */
export interface PrismViolation {
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}

/** What Prism said about one request/response pair. */
export interface PrismVerdict {
  method: string;
  path: string;
  status: number;
  /** Everything in `sl-violations`, plus the list of a Prism-made problem+json answer. */
  reported: PrismViolation[];
  /** The raw body of an error answer (status ≥ 400), for what the spec cannot check. */
  body?: string;
  /** Set when the answer was made by Prism (a violation with --errors, no route, …), not the emulator. */
  prismError?: { type: string; title: string; detail?: string };
}

/**
 * Reads Prism's verdict off each response the SDK receives from `baseUrl`. The SDK exposes no
 * response headers, so the global fetch is wrapped to OBSERVE them: the request still goes over
 * real HTTP unchanged and the SDK gets the untouched response.
 */
export function observePrismVerdicts(baseUrl: string): {
  /** The verdicts so far, without clearing them. */
  peek(): readonly PrismVerdict[];
  /** The verdicts so far; clears them. */
  take(): PrismVerdict[];
  restore(): void;
} {
  const realFetch = globalThis.fetch;
  let verdicts: PrismVerdict[] = [];
  const observed: typeof fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(baseUrl)) return response;
    const verdict: PrismVerdict = {
      method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
      path: new URL(url).pathname,
      status: response.status,
      reported: [],
    };
    if (response.status >= 400) verdict.body = await response.clone().text();
    const header = response.headers.get('sl-violations');
    if (header) {
      try {
        verdict.reported.push(...(JSON.parse(header) as PrismViolation[]));
      } catch {
        verdict.reported.push({ location: [], severity: 'Error', message: header });
      }
    }
    if ((response.headers.get('content-type') ?? '').includes('application/problem+json')) {
      const problem = JSON.parse(verdict.body ?? (await response.clone().text())) as {
        type?: string;
        title?: string;
        detail?: string;
        validation?: PrismViolation[];
      };
      if (problem.type?.startsWith('https://stoplight.io/prism/errors')) {
        verdict.prismError = { type: problem.type, title: problem.title ?? '', detail: problem.detail };
        verdict.reported.push(...(problem.validation ?? []));
      }
    }
    // A Prism-made answer repeats its `sl-violations` in the body: keep each violation once.
    const seen = new Set<string>();
    verdict.reported = verdict.reported.filter((v) => {
      const key = `${v.location.join('.')}|${v.severity}|${v.message}`;
      return !seen.has(key) && Boolean(seen.add(key));
    });
    verdicts.push(verdict);
    return response;
  };
  globalThis.fetch = observed;
  return {
    peek: () => verdicts,
    take: () => {
      const taken = verdicts;
      verdicts = [];
      return taken;
    },
    restore: () => {
      globalThis.fetch = realFetch;
    },
  };
}
