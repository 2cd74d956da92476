import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';

export const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');

/** Scratch space outside the repository, one per checkout (so two checkouts' runs never share it). */
const scratch = join(tmpdir(), `nestjs-polar-compat-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`);

/** The environment a user's shell would give the app's npm: none of this repository's npm/jest variables. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|JEST_|NODE_OPTIONS$|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit throws with the tail of its output. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs: number; env?: Record<string, string> },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: userEnv(options.env), timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const tail = `${stdout}\n${stderr}`.split('\n').slice(-60).join('\n');
          reject(new Error(`${command} ${args.join(' ')} failed in ${options.cwd} (${error.message.split('\n')[0]}):\n${tail}`));
        } else {
          resolvePromise({ stdout, stderr });
        }
      },
    );
  });
}

/** `npm pack` of the repository as it is built now (dist/), into a scratch folder; returns the tarball. */
export async function packPackage(): Promise<string> {
  if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(join(root, 'dist', 'cjs', 'index.js'))) {
    throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  }
  const destination = join(scratch, 'pack');
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: root,
    timeoutMs: 120_000,
  });
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  return join(destination, filename);
}

/**
 * TypeScript written for a CommonJS app, as an ESM app writes it: relative imports end in `.js`,
 * and a vitest test file imports vitest's functions (the two changes docs/testing.md lists).
 */
function asEsm(source: string, vitestImport?: string): string {
  const esm = source.replace(/from '(\.\.?\/[^']+)'/g, "from '$1.js'");
  return vitestImport ? `${vitestImport}\n${esm}` : esm;
}

/** The vitest import line docs/testing.md gives. */
function testingPageVitestImport(page: string): string {
  const line = /`(import \{[^`]+\} from 'vitest';)`/.exec(page)?.[1];
  if (!line) throw new Error("docs/testing.md does not give vitest's import line");
  return line;
}

/** Copies test/compat/app (the app's code and its own e2e test) into `dir`, in the app's module format. */
function copyAppCode(dir: string, esm: boolean, vitestImport: string): void {
  const shared = join(root, 'test', 'compat', 'app');
  const copy = (relative: string): void => {
    const from = join(shared, relative);
    if (statSync(from).isDirectory()) {
      mkdirSync(join(dir, relative), { recursive: true });
      for (const entry of readdirSync(from)) copy(join(relative, entry));
      return;
    }
    const source = readFileSync(from, 'utf8');
    const isTest = relative.startsWith(`test${sep}`);
    writeFileSync(join(dir, relative), esm ? asEsm(source, isTest ? vitestImport : undefined) : source);
  };
  copy('src');
  copy('test');
}

/** docs/testing.md's "Testing your app" example as a user copies it into the app. */
export function testingPageExample(page: string, esm: boolean): string {
  const block = /```ts\n(\/\/ test\/billing\.e2e-spec\.ts\n[\s\S]*?)```/.exec(page)?.[1];
  if (!block) throw new Error("docs/testing.md has no ```ts block starting with // test/billing.e2e-spec.ts");
  return esm ? asEsm(block, testingPageVitestImport(page)) : block;
}

/**
 * A fixture app from test/compat/<name> (its package.json and tool configs, as `nest new` made them)
 * with the app code of test/compat/app, copied to a folder outside the repository (so nothing
 * resolves from the repository's node_modules), with nestjs-polar from the tarball and its other
 * dependencies from the npm registry. The folder's node_modules and lockfile are kept between runs,
 * so a second run only reinstalls the tarball.
 */
export async function installStarterApp(name: string, tarball: string): Promise<string> {
  const source = join(root, 'test', 'compat', name);
  const app = join(scratch, name);
  mkdirSync(app, { recursive: true });
  for (const entry of readdirSync(app)) {
    if (entry !== 'node_modules' && entry !== 'package-lock.json') rmSync(join(app, entry), { recursive: true, force: true });
  }
  cpSync(source, app, { recursive: true });
  const testingPage = readFileSync(join(root, 'docs', 'testing.md'), 'utf8');
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
    type?: string;
    dependencies: Record<string, string>;
  };
  manifest.dependencies['nestjs-polar'] = `file:${tarball}`;
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const esm = manifest.type === 'module';
  copyAppCode(app, esm, testingPageVitestImport(testingPage));
  writeFileSync(join(app, 'test', 'testing-page.e2e-spec.ts'), testingPageExample(testingPage, esm));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, timeoutMs: 300_000 });
  return app;
}

/** Runs `body` with a package of the app's node_modules moved away, as if it were not installed. */
export async function withoutPackage<T>(app: string, name: string, body: () => Promise<T>): Promise<T> {
  const installed = join(app, 'node_modules', name);
  const hidden = `${installed}.hidden-by-compat-test`;
  renameSync(installed, hidden);
  try {
    return await body();
  } finally {
    renameSync(hidden, installed);
  }
}

/**
 * Starts the package's emulator bin as npm linked it (node_modules/.bin/nestjs-polar-emulator, what
 * `npx nestjs-polar-emulator` runs: it checks the link, the shebang and the mode) and resolves with
 * the address it prints. Spawned directly rather than through npx, so that stop() signals the
 * emulator itself and no process outlives the test.
 */
export function startEmulatorBin(app: string): Promise<{ baseUrl: string; token: string; stop: () => Promise<void> }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(app, 'node_modules', '.bin', 'nestjs-polar-emulator'), [], {
      cwd: app,
      env: userEnv({ PORT: '0', POLAR_EMULATOR_TOKEN: 'polar_oat_compat' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the emulator bin printed no address in 60 s:\n${output}`));
    }, 60_000);
    const stop = (): Promise<void> =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const baseUrl = /^POLAR_BASE_URL=(\S+)$/m.exec(output)?.[1];
      const token = /^POLAR_ACCESS_TOKEN=(\S+)$/m.exec(output)?.[1];
      if (baseUrl && token) {
        clearTimeout(timer);
        resolvePromise({ baseUrl, token, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator bin exited (${code}):\n${output}`));
    });
  });
}
