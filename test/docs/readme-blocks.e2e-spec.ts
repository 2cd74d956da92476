import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkDocsBlocks, checkReadmeBlocks } from './readme-blocks.js';

const root = process.cwd();
const artifacts = resolve(root, 'test-artifacts/readme-blocks');

describe("the docs' code blocks (README.md and docs/*.md)", () => {
  const docs = resolve(root, 'docs');
  const pages = existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')) : [];
  // One Program for every page: lib/ is type-checked once, not once per page.
  let checked: ReturnType<typeof checkDocsBlocks>;

  beforeAll(() => {
    checked = checkDocsBlocks(
      root,
      [resolve(root, 'README.md'), ...pages.map((page) => resolve(docs, page))],
      resolve(artifacts, 'pages'),
    );
  }, 300_000);

  it('every ```ts block of README.md type-checks as a user would paste it (strict, against lib/)', () => {
    const [readme] = checked;
    // The quickstart: the app module and its main.ts, complete files.
    expect(readme.blocks.map((b) => /^\/\/ (\S+)/.exec(b.code)?.[1])).toEqual(['src/app.module.ts', 'src/main.ts']);
    expect(readme.blocks.every((b) => b.context === undefined)).toBe(true);
    expect(readme.errors.map((e) => `README.md:${e.readmeLine} ${e.message}`)).toEqual([]);
  });

  it('every ```ts block of every docs/*.md page type-checks the same way', () => {
    const pageResults = checked.slice(1);
    const blocks = pageResults.flatMap((c) => c.blocks);
    // What README held before the split (34 blocks), now on the capability pages; most are complete.
    expect(blocks.length).toBeGreaterThan(30);
    expect(blocks.filter((b) => b.context !== undefined).length).toBeLessThan(blocks.length);
    const errors = pageResults.flatMap(({ page, errors }) => errors.map((e) => `${page}:${e.readmeLine} ${e.message}`));
    expect(errors).toEqual([]);
  });

  it("reports a block's error at its README line, in complete and in partial blocks", () => {
    mkdirSync(artifacts, { recursive: true });
    const readme = resolve(artifacts, 'broken-README.md');
    writeFileSync(
      readme,
      [
        '# Title', // 1
        '```ts', // 2
        'const ok = 1;', // 3
        "const n: number = 'one';", // 4
        '```', // 5
        '<!-- docs:partial', // 6
        'declare const user: User;', // 7
        'export function f(): string {', // 8
        '/* block */', // 9
        '}', // 10
        '-->', // 11
        '```ts', // 12
        'return user.missing;', // 13
        '```', // 14
      ].join('\n'),
    );
    const { blocks, errors } = checkReadmeBlocks(root, readme, resolve(artifacts, 'broken'));
    expect(blocks.map((b) => [b.line, b.context !== undefined])).toEqual([
      [3, false],
      [13, true],
    ]);
    expect(errors).toEqual([
      { readmeLine: 4, message: expect.stringContaining("TS2322: Type 'string' is not assignable to type 'number'") },
      { readmeLine: 13, message: expect.stringContaining("TS2339: Property 'missing' does not exist on type 'User'") },
    ]);
  }, 60_000);
});
