import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');

/** A test fixture compiled to run as its own Node process: `script` is the compiled entry, `dir` its scratch folder. */
export interface CompiledFixture {
  dir: string;
  script: string;
  /** Removes the scratch folder. */
  remove(): void;
}

/**
 * Compiles one fixture app (`fixture`, a path from the repo root) with tsc into a scratch folder
 * under node_modules/.cache (so it resolves the repo's packages), for suites that need a real
 * child process: jest's ESM sandbox cannot observe process-level events, nor be killed mid-stream.
 * tsc, not tsx/esbuild, because Nest's injection in lib/ relies on emitted decorator metadata.
 */
export async function compileFixture(fixture: string, label: string): Promise<CompiledFixture> {
  const dir = join(root, 'node_modules', '.cache', `nestjs-polar-${label}-${process.pid}`);
  const source = join(root, fixture);
  const script = join(dir, relative(root, source).replace(/\.ts$/, '.js'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Under node_modules/ Node stops looking for the repo's package.json, so say ESM here.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const tsconfig = {
    extends: join(root, 'tsconfig.json'),
    compilerOptions: { rootDir: root, outDir: dir, declaration: false, sourceMap: false, types: ['node'] },
    files: [source],
    include: [],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }).catch(
    (error: { stdout?: string }) => {
      // Type errors are the type-check's business (tsc still emits); the suite needs the program.
      if (!existsSync(script)) throw new Error(`compiling ${fixture} failed:\n${error.stdout ?? ''}`);
    },
  );
  return { dir, script, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
