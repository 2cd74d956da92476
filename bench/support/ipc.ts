import { fork, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** A command the orchestrator sends to a child process, answered once by `id`. */
interface IpcCall {
  id: number;
  cmd: string;
  arg?: unknown;
}

interface IpcReply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Tells the orchestrator the child is listening, and on which port. */
export function announceReady(port: number): void {
  process.send?.({ ready: true, port });
}

/** Memory figures for platforms without /proc (the orchestrator prefers /proc: no IPC under load). */
function memory(): { rssKb: number; maxRssKb: number } {
  return { rssKb: Math.round(process.memoryUsage.rss() / 1024), maxRssKb: process.resourceUsage().maxRSS };
}

/** CPU time this process has used so far, in ms (user + system). */
function cpu(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

let loopDelay: IntervalHistogram | undefined;
const LOOP_DELAY_RESOLUTION_MS = 5;

/** Event-loop lag of this process, ms: how late a due timer ran (GC, synchronous work, no free core). */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** Starts measuring this process's event-loop delay. */
export function startLoopDelay(): void {
  loopDelay?.disable();
  loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
}

/** Stops measuring and returns what was seen since `startLoopDelay()`. */
export function stopLoopDelay(): LoopDelay {
  const h = loopDelay;
  loopDelay = undefined;
  if (!h) return { p50: NaN, p99: NaN, max: NaN };
  h.disable();
  // The histogram holds whole timer intervals; what is above the resolution is the lag.
  const lag = (ns: number) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
  return { p50: lag(h.percentile(50)), p99: lag(h.percentile(99)), max: lag(h.max) };
}

const builtins: Record<string, (arg: unknown) => unknown> = {
  memory,
  cpu,
  'loop-delay-start': () => startLoopDelay(),
  'loop-delay-stop': () => stopLoopDelay(),
};

/** Answers orchestrator commands in a child; `stop` always exits (so --cpu-prof gets written). */
export function serveIpc(handlers: Record<string, (arg: unknown) => unknown>): void {
  process.on('message', (raw: unknown) => {
    const call = raw as IpcCall;
    if (typeof call?.id !== 'number') return;
    if (call.cmd === 'stop') {
      process.send?.({ id: call.id, ok: true } satisfies IpcReply, () => process.exit(0));
      return;
    }
    const handler = builtins[call.cmd] ?? handlers[call.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${call.cmd}`);
        return handler(call.arg);
      })
      .then(
        (value) => process.send?.({ id: call.id, ok: true, value } satisfies IpcReply),
        (err: unknown) => process.send?.({ id: call.id, ok: false, error: String(err) } satisfies IpcReply),
      );
  });
  // The orchestrator going away must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
}

/** A child process started with an IPC channel, its output going to a log file. */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: IpcReply) => void>();
  readonly process: ChildProcess;
  readonly port: Promise<number>;

  constructor(
    script: string,
    opts: { env?: NodeJS.ProcessEnv; execArgv?: string[]; execPath?: string; logFile: string },
  ) {
    const log = openSync(opts.logFile, 'a');
    this.process = fork(script, [], {
      env: { ...process.env, ...opts.env },
      execArgv: opts.execArgv ?? [],
      ...(opts.execPath ? { execPath: opts.execPath } : {}),
      stdio: ['ignore', log, log, 'ipc'],
    });
    this.port = new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${script} exited with ${code} before it was ready (see ${opts.logFile})`));
      this.process.once('exit', onExit);
      this.process.on('message', (raw: unknown) => {
        const msg = raw as { ready?: boolean; port?: number } & Partial<IpcReply>;
        if (msg.ready && typeof msg.port === 'number') {
          this.process.off('exit', onExit);
          resolve(msg.port);
          return;
        }
        if (typeof msg.id === 'number') {
          this.pending.get(msg.id)?.(msg as IpcReply);
          this.pending.delete(msg.id);
        }
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  /** Sends a command and waits for its answer. */
  call<T = unknown>(cmd: string, arg?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (reply) => (reply.ok ? resolve(reply.value as T) : reject(new Error(reply.error))));
      this.process.send({ id, cmd, arg } satisfies IpcCall);
    });
  }

  /** Asks the child to exit and waits for it; kills it after a grace period. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    const grace = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    try {
      await Promise.race([this.call('stop'), exited]);
    } catch {
      // Channel already closed: the exit listener settles it.
    }
    await exited;
    clearTimeout(grace);
  }
}
