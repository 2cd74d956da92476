import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * README's ```ts blocks, type-checked as a user would paste them into an app that depends on
 * nestjs-polar: each block is its own module; `nestjs-polar`, `nestjs-polar/config` and
 * `nestjs-polar/testing` resolve to lib/ through tsconfig.json's `paths`.
 *
 * A block that is a fragment (it uses names set up elsewhere, or is the body of a function) is
 * preceded in README by `<!-- docs:partial … -->`: the comment's text is the code around it, with
 * the block where the line `/* block *\/` stands (or after the text, if there is no such line).
 * Partial blocks are still checked, never skipped.
 */

const PARTIAL = /^<!--\s*docs:partial\b([\s\S]*)-->$/;
const BLOCK_SLOT = '/* block */';

/** The user's own root module, which the Testing example imports from `../src/app.module` and main.ts from `./app.module`. */
const APP_MODULE = "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class AppModule {}\n";

export interface ReadmeBlock {
  /** README line of the block's first code line (1-based). */
  line: number;
  code: string;
  /** The code around a partial block, or undefined for a complete block. */
  context?: string;
}

export function readmeBlocks(readme: string): ReadmeBlock[] {
  const lines = readme.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    if (open[2] === 'ts') {
      const before = lines.slice(0, i).join('\n').trimEnd();
      const partial = PARTIAL.exec(before.slice(before.lastIndexOf('<!--')));
      blocks.push({
        line: i + 2,
        code: lines
          .slice(i + 1, end)
          .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
          .join('\n'),
        context: partial ? partial[1].trim() : undefined,
      });
    }
    i = end;
  }
  return blocks;
}

/** The module a block becomes, and the line (0-based) where the block's code starts in it. */
function moduleSource(block: ReadmeBlock): { text: string; firstLine: number } {
  const head = 'export {};\n';
  if (block.context === undefined) return { text: head + block.code + '\n', firstLine: 1 };
  const slot = block.context.indexOf(BLOCK_SLOT);
  const before = slot < 0 ? block.context + '\n' : block.context.slice(0, slot);
  const after = slot < 0 ? '' : block.context.slice(slot + BLOCK_SLOT.length);
  const prefix = head + before + (before.endsWith('\n') ? '' : '\n');
  return { text: prefix + block.code + '\n' + after + '\n', firstLine: prefix.split('\n').length - 1 };
}

export interface BlockDiagnostic {
  readmeLine: number;
  message: string;
}

/** Compiles every block of one page in one Program; answers each error with its line on the page. */
export function checkReadmeBlocks(
  root: string,
  readmePath: string,
  workDir: string,
): { blocks: ReadmeBlock[]; errors: BlockDiagnostic[] } {
  const [page] = checkDocsBlocks(root, [readmePath], workDir);
  return page;
}

/**
 * Compiles every block of every page in one Program (one type-check of lib/ for all pages); answers,
 * per page in the order given, its blocks and each error with its line on that page.
 */
export function checkDocsBlocks(
  root: string,
  pagePaths: string[],
  workDir: string,
): { page: string; blocks: ReadmeBlock[]; errors: BlockDiagnostic[] }[] {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const pages = pagePaths.map((path) => ({ path, blocks: readmeBlocks(readFileSync(path, 'utf8')) }));
  const files = new Map<string, { page: number; block: ReadmeBlock; firstLine: number }>();
  pages.forEach(({ path, blocks }, page) => {
    for (const block of blocks) {
      const { text, firstLine } = moduleSource(block);
      // A block that names its file (`// test/billing.e2e-spec.ts`) is written there, in a folder of its own.
      const dir = resolve(workDir, relative(root, path).replace(/[^\w.-]/g, '_'), `readme-line-${block.line}`);
      const named = /^\/\/ ([\w./-]+\.ts)\b/.exec(block.code)?.[1];
      const file = resolve(dir, named ?? 'block.ts');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      if (
        block.code.includes("from '../src/app.module'") ||
        (named === 'src/main.ts' && block.code.includes("from './app.module'"))
      ) {
        mkdirSync(resolve(dir, 'src'), { recursive: true });
        writeFileSync(resolve(dir, 'src/app.module.ts'), APP_MODULE);
      }
      files.set(file, { page, block, firstLine });
    }
  });
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    // As an app's bundler or test runner resolves: extensionless relative imports, top-level await.
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    declaration: false,
    sourceMap: false,
  };
  const stubs = resolve(root, 'test/docs/app-stubs.d.ts');
  const program = ts.createProgram({ rootNames: [...files.keys(), stubs], options });
  const errors: BlockDiagnostic[][] = pages.map(() => []);
  for (const [file, { page, block, firstLine }] of files) {
    const source = program.getSourceFile(file)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const d of diagnostics) {
      const line = d.start === undefined ? firstLine : source.getLineAndCharacterOfPosition(d.start).line;
      const inBlock = line >= firstLine && line < firstLine + block.code.split('\n').length;
      errors[page].push({
        readmeLine: inBlock ? block.line + line - firstLine : block.line,
        message: `${inBlock ? '' : '(in the docs:partial context) '}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      });
    }
  }
  for (const d of program.getGlobalDiagnostics()) {
    errors[0].push({ readmeLine: 0, message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` });
  }
  return pages.map(({ path, blocks }, page) => ({ page: relative(root, path), blocks, errors: errors[page] }));
}
