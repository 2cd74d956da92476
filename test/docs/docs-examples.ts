import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readmeBlocks } from './readme-blocks.js';

/**
 * The documentation's runnable examples as a user copies them into an app: README's quickstart
 * (`// src/app.module.ts`, `// src/main.ts`) and docs/testing.md's "Testing your app" test
 * (`// test/billing.e2e-spec.ts`), written unchanged into one app folder, so the test runs against
 * the quickstart's module exactly as printed.
 */
export const QUICKSTART = { page: 'README.md', files: ['src/app.module.ts', 'src/main.ts'] } as const;
export const TESTING_EXAMPLE = { page: 'docs/testing.md', file: 'test/billing.e2e-spec.ts' } as const;

/** The ```ts block of `page` whose first line is `// <file>`; throws when the page has none. */
export function namedBlock(root: string, page: string, file: string): string {
  const block = readmeBlocks(readFileSync(join(root, page), 'utf8')).find((b) => b.code.startsWith(`// ${file}\n`));
  if (!block) throw new Error(`${page} has no \`\`\`ts block starting with // ${file}`);
  return block.code;
}

/**
 * Writes the quickstart and the Testing example into `app` (emptied first), with a jest config in
 * ESM mode that resolves `nestjs-polar` to lib/ as the repository's own tests do. Returns the config path.
 */
export function writeDocsApp(root: string, app: string): string {
  rmSync(app, { recursive: true, force: true });
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    writeFileSync(join(app, file), text.endsWith('\n') ? text : `${text}\n`);
  };
  for (const file of QUICKSTART.files) write(file, namedBlock(root, QUICKSTART.page, file));
  write(TESTING_EXAMPLE.file, namedBlock(root, TESTING_EXAMPLE.page, TESTING_EXAMPLE.file));
  const config = {
    rootDir: app,
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    extensionsToTreatAsEsm: ['.ts'],
    transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: resolve(root, 'tsconfig.jest.json') }] },
    moduleNameMapper: {
      '^(\\.{1,2}/.*)\\.js$': '$1',
      '^nestjs-polar$': resolve(root, 'lib/index.ts'),
      '^nestjs-polar/(config|testing)$': `${resolve(root, 'lib')}/$1/index.ts`,
    },
    testEnvironment: 'node',
  };
  write('jest.config.json', JSON.stringify(config, null, 2));
  return join(app, 'jest.config.json');
}
