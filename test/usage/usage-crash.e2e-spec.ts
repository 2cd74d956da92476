import { type ChildProcess, spawn } from 'node:child_process';
import type { PolarUsageStats } from '../../lib/interfaces/polar-usage-options.interface.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { type CompiledFixture, compileFixture } from '../support/compiled-fixture.js';
import { type RunningRedis, startRedisServer, describeWithRedisServer } from '../webhooks/redis-server.js';
import { eventually, ingested } from './usage-harness.js';

const describeWithRedis = describeWithRedisServer('the durable usage buffer test');

/** The fixture app as a child process, with what it printed so far. */
class UsageProcess {
  output = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
  }

  static start(fixture: CompiledFixture, mode: 'record' | 'drain', env: Record<string, string>): UsageProcess {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1' };
    delete childEnv.NODE_OPTIONS;
    return new UsageProcess(
      spawn(process.execPath, [fixture.script, mode], {
        cwd: fixture.dir,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  /** The last `durable <seq>` printed: every event up to it was in Redis when printed. */
  get durableUpTo(): number {
    const all = [...this.output.matchAll(/^durable (\d+)$/gm)];
    return all.length === 0 ? -1 : Number(all[all.length - 1]![1]);
  }

  get drained(): PolarUsageStats | undefined {
    const line = /^drained (.+)$/m.exec(this.output);
    return line ? (JSON.parse(line[1]!) as PolarUsageStats) : undefined;
  }

  /** SIGKILL, as a crash: no shutdown hook runs. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

describeWithRedis('the durable usage buffer on the README Redis setup survives a crash mid-stream', () => {
  let fixture: CompiledFixture;
  let polar: PolarEmulator;
  let redis: RunningRedis;
  const children: UsageProcess[] = [];

  beforeAll(async () => {
    fixture = await compileFixture('test/usage/fixtures/usage-crash-app.ts', 'usage-crash');
    polar = await PolarEmulator.start({ rateLimit: false });
    redis = await startRedisServer();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(children.map((child) => child.kill()));
    await redis?.stop();
    await polar?.stop();
    fixture?.remove();
  });

  it('a process killed while recording and sending loses no durable event, and Polar counts each once', async () => {
    const env = { POLAR_URL: polar.url, POLAR_ACCESS_TOKEN: polar.accessToken, REDIS_URL: redis.url };
    // Slow, sometimes failing ingest: at the kill some batches are in flight, some sent but not yet cleared.
    polar.faults.latency(40, { path: '/v1/events' });
    polar.faults.failNext(3, 503, { path: '/v1/events' });

    const recording = UsageProcess.start(fixture, 'record', env);
    children.push(recording);
    await eventually(
      `the first process records and sends (output so far: ${recording.output.slice(0, 500)})`,
      () => recording.durableUpTo >= 1500 && ingested(polar).length >= 200,
      90_000,
    );
    await recording.kill();
    const durableUpTo = recording.durableUpTo;
    const beforeRestart = ingested(polar).length;
    expect(beforeRestart).toBeLessThan(durableUpTo + 1); // the kill left durable events undelivered
    polar.faults.clear();

    const drain = UsageProcess.start(fixture, 'drain', env);
    children.push(drain);
    await eventually(
      `the restarted process drains (output: ${drain.output.slice(-800)})`,
      () => drain.drained !== undefined,
      90_000,
    );
    const stats = drain.drained!;
    expect(stats.recovered).toBeGreaterThan(0);
    expect(stats.rejected).toBe(0);

    const seqs = ingested(polar).map((event) => (event.metadata as { seq: number }).seq);
    const counts = new Map<number, number>();
    for (const seq of seqs) counts.set(seq, (counts.get(seq) ?? 0) + 1);
    // Every event durable before the crash reached Polar, and none is there twice.
    const missing = Array.from({ length: durableUpTo + 1 }, (_, seq) => seq).filter((seq) => !counts.has(seq));
    expect(missing).toEqual([]);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(ingested(polar).map((event) => event.external_id)).size).toBe(seqs.length);

    // The buffer is empty now: a third start finds nothing to recover.
    const again = UsageProcess.start(fixture, 'drain', env);
    children.push(again);
    await eventually('the third process starts', () => again.drained !== undefined, 90_000);
    expect(again.drained).toMatchObject({ recovered: 0, delivered: 0 });
  }, 300_000);
});
