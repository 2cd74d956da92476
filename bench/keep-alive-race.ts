/**
 * `npx tsx bench/keep-alive-race.ts` — why the chaos run once saw a socket error instead of an
 * answer (bench/RESULTS.md). A Node server closes an idle keep-alive socket about 6 s after its last
 * answer (`keepAliveTimeout` 5 s, plus Node's 1 s buffer) and announces `Keep-Alive: timeout=5`; a
 * Node `Agent` built without `timeout` ignores that hint and keeps idle sockets for ever. When the
 * client's event loop is busy at the instant the server closes (a loaded machine), it does not see
 * the close, hands the socket to the next request, and that request fails with ECONNRESET before
 * the server read it. The chaos bench's agent now drops idle sockets after 2 s.
 *
 * Prints, for both agents, the outcome of `N` (default 100) requests sent on sockets idle for `AT` ms
 * (default 6000) after a 60 ms stall of the client.
 */
import { fork } from 'node:child_process';
import { Agent, type AgentOptions, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sockets = Number(process.env.N ?? 100);
const idleMs = Number(process.env.AT ?? 6000);
const server = fork(join(dirname(fileURLToPath(import.meta.url)), 'keep-alive-race/server.ts'), {
  execArgv: ['--import', 'tsx'],
});
const port = await new Promise<number>((resolve) => server.once('message', (message) => resolve(Number(message))));

async function trial(options: AgentOptions): Promise<Record<string, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, ...options });
  const send = () =>
    new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve(`${error.code ?? error.message}${req.reusedSocket ? ' (reused socket)' : ''}`),
      );
      req.end('x');
    });
  await Promise.all(Array.from({ length: sockets }, send));
  await new Promise((resolve) => setTimeout(resolve, idleMs - 10));
  const stallUntil = Date.now() + 60;
  while (Date.now() < stallUntil); // the client busy, as on a loaded machine
  const outcomes = await Promise.all(Array.from({ length: sockets }, send));
  agent.destroy();
  const tally: Record<string, number> = {};
  for (const outcome of outcomes) tally[outcome] = (tally[outcome] ?? 0) + 1;
  return tally;
}

try {
  console.log(`Agent without timeout (the chaos bench before): ${JSON.stringify(await trial({}))}`);
  console.log(`Agent with timeout 2000 (the chaos bench now):   ${JSON.stringify(await trial({ timeout: 2_000 }))}`);
} finally {
  server.kill();
}
