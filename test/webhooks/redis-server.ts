import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/** Whether a `redis-server` binary is on PATH; the reason when it is not. */
export function redisServerAvailability(): { available: true } | { available: false; reason: string } {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return { available: false, reason: 'redis-server not found on PATH (apt-get install -y redis-server)' };
  }
  return { available: true };
}

/**
 * `describe` when a `redis-server` binary is on PATH. Without one: under `CI=true` a failure when the
 * suite loads (a missing system package is never a skip in CI), else `describe.skip` with a warning
 * naming `what` (e.g. 'the exactly-once Redis test').
 */
export function describeWithRedisServer(what: string): typeof describe {
  const availability = redisServerAvailability();
  if (availability.available) return describe;
  if (process.env.CI === 'true') {
    throw new Error(`${what[0]!.toUpperCase()}${what.slice(1)} cannot run in CI: ${availability.reason}`);
  }
  console.warn(`Skipping ${what}: ${availability.reason}`);
  return describe.skip;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** A throwaway redis-server on 127.0.0.1 and a free port, without persistence; `stop()` ends it. */
export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** SIGSTOP: the socket stays open and nothing answers. */
  freeze(): void;
  /** SIGCONT after `freeze()`. */
  thaw(): void;
  /** SIGKILL, as a crash would (clients see the connection drop). */
  kill(): Promise<void>;
  /** Starts a fresh (empty) redis-server on the same port after `kill()` or `stop()`. */
  restart(): Promise<void>;
}

async function spawnRedis(port: number): Promise<ChildProcess> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

async function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // A frozen server must be woken to act on SIGTERM.
  child.kill('SIGCONT');
  child.kill(signal);
  await exited;
}

/** Starts redis-server as a child of the test process (not daemonized, so it dies with its handle). */
export async function startRedisServer(): Promise<RunningRedis> {
  const port = await freePort();
  let child = await spawnRedis(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => ended(child, 'SIGTERM'),
    freeze: () => {
      child.kill('SIGSTOP');
    },
    thaw: () => {
      child.kill('SIGCONT');
    },
    kill: () => ended(child, 'SIGKILL'),
    restart: async () => {
      await ended(child, 'SIGTERM');
      child = await spawnRedis(port);
    },
  };
}

/** A 127.0.0.1 port nothing listens on (for a Redis that is unreachable from the start). */
export const unusedPort = freePort;
