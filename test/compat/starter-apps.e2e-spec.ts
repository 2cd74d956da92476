import { stripVTControlCharacters } from 'node:util';
import { installStarterApp, packPackage, run, startEmulatorBin, withoutPackage } from './starter-app.js';

/**
 * Compatibility suite: the packed tarball, installed with its peers from the npm registry into
 * starter-shaped apps (test/compat/nest11-cjs: `nest new` 11, CommonJS, jest + ts-jest; and
 * test/compat/nest12-esm: `nest new` 12, ESM, vitest; both run the app code of test/compat/app),
 * must build and pass the apps' own e2e tests (sign-up with ensure(), portal redirect, a signed
 * webhook) and the Testing page's example (docs/testing.md), with no change to the starters' configs.
 */
const MINUTES = 60_000;
let tarball: string;

beforeAll(async () => {
  tarball = await packPackage();
}, 2 * MINUTES);

/** Loads all three entries (and the SDK's 2026-10 subpath) in plain Node, the app's module format. */
const LOAD_CJS = `
const polar = require('nestjs-polar');
const config = require('nestjs-polar/config');
const testing = require('nestjs-polar/testing');
const sdk = require('@polar-sh/sdk/2026-10');
console.log(JSON.stringify([typeof polar.PolarModule, typeof config.readPolarEnv, typeof testing.PolarEmulator, typeof sdk.createPolar]));
`;
const LOAD_ESM = `
const polar = await import('nestjs-polar');
const config = await import('nestjs-polar/config');
const testing = await import('nestjs-polar/testing');
const sdk = await import('@polar-sh/sdk/2026-10');
console.log(JSON.stringify([typeof polar.PolarModule, typeof config.readPolarEnv, typeof testing.PolarEmulator, typeof sdk.createPolar]));
`;
const LOADED = JSON.stringify(['function', 'function', 'function', 'function']);

/** readPolarEnv with @nestjs/config absent: reads the env; polarConfig says what to install. */
const READ_ENV = `
const env = { POLAR_ACCESS_TOKEN: 'polar_oat_x', POLAR_BASE_URL: 'http://127.0.0.1:1' };
let polarConfigError;
try { void polarConfig.KEY; } catch (error) { polarConfigError = error.message; }
console.log(JSON.stringify({ options: readPolarEnv(env), polarConfigError }));
`;
const READ_ENV_RESULT = {
  options: { accessToken: 'polar_oat_x', baseUrl: 'http://127.0.0.1:1' },
  polarConfigError: expect.stringContaining('npm install @nestjs/config'),
};

/** Test runners colour their summaries when they think a terminal is watching. */
const plain = stripVTControlCharacters;

function lastLine(stdout: string): string {
  return stdout.trim().split('\n').at(-1) ?? '';
}

describe('Nest 11, CommonJS, jest + ts-jest (nest new 11)', () => {
  let app: string;

  beforeAll(async () => {
    app = await installStarterApp('nest11-cjs', tarball);
  }, 6 * MINUTES);

  it('builds with the starter tsconfig (module nodenext, CommonJS output)', async () => {
    await run('npm', ['run', 'build'], { cwd: app, timeoutMs: 3 * MINUTES });
  }, 4 * MINUTES);

  it('type-checks with TypeScript 5.7, the oldest the starter allows (^5.7.3)', async () => {
    await run('npm', ['run', 'typecheck:ts5.7'], { cwd: app, timeoutMs: 3 * MINUTES });
  }, 4 * MINUTES);

  it('type-checks with the pre-2025 tsconfig (module commonjs, node10 resolution): all three entries resolve', async () => {
    await run('npm', ['run', 'typecheck:legacy'], { cwd: app, timeoutMs: 3 * MINUTES });
  }, 4 * MINUTES);

  it("passes the app's own jest e2e tests and the Testing page's example (docs/testing.md), with the starter's jest config", async () => {
    const { stderr } = await run('npm', ['run', 'test:e2e'], { cwd: app, timeoutMs: 3 * MINUTES });
    expect(plain(stderr)).toMatch(/Tests:\s+4 passed, 4 total/);
  }, 4 * MINUTES);

  it('loads every entry with require(), and the SDK 2026-10 subpath too', async () => {
    const { stdout } = await run('node', ['-e', LOAD_CJS], { cwd: app, timeoutMs: MINUTES });
    expect(lastLine(stdout)).toBe(LOADED);
  }, 2 * MINUTES);

  it('reads the env with readPolarEnv when @nestjs/config is not installed', async () => {
    const { stdout } = await withoutPackage(app, '@nestjs/config', () =>
      run('node', ['-e', `const { readPolarEnv, polarConfig } = require('nestjs-polar/config');${READ_ENV}`], {
        cwd: app,
        timeoutMs: MINUTES,
      }),
    );
    expect(JSON.parse(lastLine(stdout))).toEqual(READ_ENV_RESULT);
  }, 2 * MINUTES);

  it('refuses to load the ESM build beside the CommonJS one (dual-package hazard)', async () => {
    const script = `require('nestjs-polar'); import('nestjs-polar').then(() => console.log('loaded twice'), (error) => console.log(error.message));`;
    const { stdout } = await run('node', ['-e', script], { cwd: app, timeoutMs: MINUTES });
    expect(lastLine(stdout)).toMatch(/^nestjs-polar was loaded twice in one process/);
  }, 2 * MINUTES);

  it('runs the emulator bin (nestjs-polar-emulator, as npx runs it), answering the API', async () => {
    const emulator = await startEmulatorBin(app);
    try {
      expect(emulator.token).toBe('polar_oat_compat');
      const response = await fetch(`${emulator.baseUrl}/v1/customers/`, {
        headers: { authorization: `Bearer ${emulator.token}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expect.objectContaining({ items: [] }));
    } finally {
      await emulator.stop();
    }
  }, 2 * MINUTES);
});

describe('Nest 12, ESM, vitest (nest new 12)', () => {
  let app: string;

  beforeAll(async () => {
    app = await installStarterApp('nest12-esm', tarball);
  }, 6 * MINUTES);

  it('builds with the starter tsconfig (TS 6, strict, ESM output)', async () => {
    await run('npm', ['run', 'build'], { cwd: app, timeoutMs: 3 * MINUTES });
  }, 4 * MINUTES);

  it("passes the app's own vitest e2e tests and the Testing page's example (docs/testing.md)", async () => {
    const { stdout } = await run('npm', ['run', 'test:e2e'], { cwd: app, timeoutMs: 3 * MINUTES });
    expect(plain(stdout)).toMatch(/Tests\s+4 passed \(4\)/);
  }, 4 * MINUTES);

  it('loads every entry with import, and the SDK 2026-10 subpath too', async () => {
    const { stdout } = await run('node', ['--input-type=module', '-e', LOAD_ESM], { cwd: app, timeoutMs: MINUTES });
    expect(lastLine(stdout)).toBe(LOADED);
  }, 2 * MINUTES);

  it('reads the env with readPolarEnv when @nestjs/config is not installed', async () => {
    const { stdout } = await withoutPackage(app, '@nestjs/config', () =>
      run('node', ['--input-type=module', '-e', `const { readPolarEnv, polarConfig } = await import('nestjs-polar/config');${READ_ENV}`], {
        cwd: app,
        timeoutMs: MINUTES,
      }),
    );
    expect(JSON.parse(lastLine(stdout))).toEqual(READ_ENV_RESULT);
  }, 2 * MINUTES);
});
