import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(benchDir, '..');
/** Where bench/tsconfig.json emits: a child script `bench/x.ts` runs as `${buildDir}/bench/x.js`. */
export const buildDir = join(root, 'node_modules/.cache/nestjs-polar-bench');

/**
 * Compiles bench/ (and the lib/ it imports) with tsc: esbuild-based loaders drop the decorator
 * metadata Nest needs, so child processes run tsc's output. `entry` is a file that must exist after.
 */
export function build(entry = 'bench/upstream.js'): void {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const out = spawnSync(process.execPath, [tsc, '-p', join(benchDir, 'tsconfig.json')], { encoding: 'utf8' });
  if (out.status !== 0) {
    // tsc still emits on type errors; other rooms may be mid-edit. Go on if the entry exists.
    console.warn(`tsc reported errors (continuing with what it emitted):\n${out.stdout.slice(0, 2000)}`);
  }
  if (!existsSync(join(buildDir, entry))) throw new Error('bench build produced no output');
}
