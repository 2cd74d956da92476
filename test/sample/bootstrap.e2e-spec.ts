import { createServer, type Server } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { bootstrap, PortInUseError, type RunningSample } from '../../sample/bootstrap.js';

/** Collects what `npm run sample` would print, in order. */
class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
}

const POLAR_VARS = ['POLAR_ACCESS_TOKEN', 'POLAR_BASE_URL', 'POLAR_ENVIRONMENT'] as const;

describe('sample bootstrap (what `npm run sample` does)', () => {
  const saved = POLAR_VARS.map((name) => [name, process.env[name]] as const);
  let sample: RunningSample | undefined;

  beforeEach(() => {
    for (const name of POLAR_VARS) delete process.env[name];
  });

  afterEach(async () => {
    await sample?.close();
    sample = undefined;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('without POLAR_ACCESS_TOKEN starts the emulator, says so first, then prints the URL to open', async () => {
    const logger = new RecordingLogger();
    sample = await bootstrap({ port: 0, logger });

    const emulator = sample.emulator!;
    expect(logger.lines[0]).toContain('No POLAR_ACCESS_TOKEN set');
    expect(logger.lines[0]).toContain(emulator.url);
    expect(logger.lines[0]).toContain(emulator.accessToken);
    expect(logger.lines.at(-1)).toBe(`Open ${sample.url} in your browser`);
    expect(sample.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(sample.url);
    expect(new URL(page.url).pathname).toBe('/sign-in');
  });

  it('stops the emulator and restores the environment on close', async () => {
    sample = await bootstrap({ port: 0, logger: false });
    const emulatorUrl = sample.emulator!.url;
    expect(process.env.POLAR_BASE_URL).toBe(emulatorUrl);
    await sample.close();
    sample = undefined;
    expect(process.env.POLAR_ACCESS_TOKEN).toBeUndefined();
    expect(process.env.POLAR_BASE_URL).toBeUndefined();
    await expect(fetch(`${emulatorUrl}/v1/customers/`)).rejects.toThrow();
  });

  it('fails with a clear message when the port is taken, and leaves no emulator running', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const logger = new RecordingLogger();
    try {
      const failure = bootstrap({ port, logger });
      await expect(failure).rejects.toBeInstanceOf(PortInUseError);
      await expect(failure).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const emulatorUrl = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(logger.lines[0])![1];
    await expect(fetch(`${emulatorUrl}/v1/customers/`)).rejects.toThrow();
  });

  it('with a token uses Polar as POLAR_ENVIRONMENT says, never logging the token', async () => {
    process.env.POLAR_ACCESS_TOKEN = 'polar_oat_sandbox_token_for_test_0123456789';
    process.env.POLAR_ENVIRONMENT = 'sandbox';
    const logger = new RecordingLogger();
    sample = await bootstrap({ port: 0, logger });

    expect(sample.emulator).toBeUndefined();
    expect(logger.lines[0]).toBe('Using Polar sandbox (POLAR_ENVIRONMENT=sandbox)');
    expect(logger.lines.join('\n')).not.toContain('polar_oat_sandbox_token');
  });

  it('refuses a malformed POLAR_ENVIRONMENT at start-up, naming the variable', async () => {
    process.env.POLAR_ACCESS_TOKEN = 'polar_oat_sandbox_token_for_test_0123456789';
    process.env.POLAR_ENVIRONMENT = 'staging';
    await expect(bootstrap({ port: 0, logger: false })).rejects.toThrow(/POLAR_ENVIRONMENT/);
  });
});
