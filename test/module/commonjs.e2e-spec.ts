import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
// Inside the repo so the scratch package resolves its peers from the repo's node_modules.
const scratch = join(root, 'node_modules', '.cache', 'nestjs-polar-commonjs-test');
const packageDir = join(scratch, 'node_modules', 'nestjs-polar');

/**
 * A CommonJS app `require`s the published shape of the package: package.json (its exports map) and
 * dist/ built by tsconfig.build.json and tsconfig.build.cjs.json — into a scratch copy, so the shared dist/ is left alone.
 */
describe('CommonJS apps', () => {
  beforeAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(packageDir, { recursive: true });
    copyFileSync(join(root, 'package.json'), join(packageDir, 'package.json'));
    // The two builds `npm run build` makes: ESM into dist/, CommonJS into dist/cjs/.
    for (const [config, outDir] of [
      ['tsconfig.build.json', join(packageDir, 'dist')],
      ['tsconfig.build.cjs.json', join(packageDir, 'dist', 'cjs')],
    ]) {
      const tsc = [join(root, 'node_modules/typescript/bin/tsc'), '-p', config, '--outDir', outDir];
      await run(process.execPath, tsc, { cwd: root }).catch((error: { stdout?: string }) => {
        // Type errors are the type-check's business (and tsc still emits); this suite is about loading.
        if (!existsSync(join(outDir, 'index.js'))) throw new Error(`build failed:\n${error.stdout ?? ''}`);
      });
    }
    writeFileSync(join(packageDir, 'dist', 'cjs', 'package.json'), '{"type":"commonjs"}\n');
    copyFileSync(join(root, 'test/module/fixtures/cjs-app.cjs'), join(scratch, 'app.cjs'));
  }, 180_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it(`load nestjs-polar and nestjs-polar/testing with require() on Node ${process.versions.node}, no flag`, async () => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const { stdout } = await run(process.execPath, [join(scratch, 'app.cjs')], { cwd: scratch, env, timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ created: 'cjs_user', stored: 1, notFound: true });
  }, 90_000);
});
