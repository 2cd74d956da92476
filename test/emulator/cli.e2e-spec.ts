import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createPolar } from '@polar-sh/sdk/2026-10';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `npm run emulator`'s script directly (npm would swallow the signal) and reads its banner. */
async function startCli(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/testing/cli.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!/POLAR_ACCESS_TOKEN=/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`emulator CLI did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output };
}

describe('emulator: npm run emulator (CLI)', () => {
  it('prints URL and token, serves the SDK on 127.0.0.1 and exits cleanly on SIGINT', async () => {
    const { child, output } = await startCli({ PORT: '0', POLAR_EMULATOR_TOKEN: 'polar_oat_cli_token' });
    try {
      const url = /POLAR_BASE_URL=(\S+)/.exec(output())![1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(output()).toContain('POLAR_ACCESS_TOKEN=polar_oat_cli_token');
      const sdk = createPolar({ accessToken: 'polar_oat_cli_token', baseUrl: url });
      const customer = await sdk.customers.create({ email: 'cli@mailinator.com' });
      expect((await sdk.customers.get(customer.id)).email).toBe('cli@mailinator.com');
    } finally {
      child.kill('SIGINT');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 30_000);

  it('refuses a PORT that is not a port number', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'lib/testing/cli.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(errors).toContain('PORT must be a port number');
  }, 30_000);
});
