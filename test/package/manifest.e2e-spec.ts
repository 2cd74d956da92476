import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';

/**
 * The published package must install and resolve for users: every package that lib/ imports is
 * declared as a dependency or peer, and both public entries ship their types.
 */
const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  type: string;
  main: string;
  types: string;
  typesVersions: Record<string, Record<string, string[]>>;
  exports: Record<string, { types?: string; default?: string } | string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  files: string[];
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('package manifest', () => {
  it('declares every package that lib/ imports at run time', () => {
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of sourceFiles(join(root, 'lib'))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+'([^'.][^']*)'/gm)) {
        const name = packageName(match[1]);
        if (name.startsWith('node:') || builtins.has(name)) continue;
        if (!declared.has(name)) missing.add(`${name} (${file.slice(root.length + 1)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('ships each entry twice, ESM for import and CommonJS for require, each with its own types', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.files).toEqual(['dist']);
    for (const entry of ['.', './config', './testing']) {
      const target = manifest.exports[entry] as Record<string, { types?: string; default?: string }>;
      expect(Object.keys(target)).toEqual(['import', 'require']);
      expect(target.import.types).toMatch(/^\.\/dist\/(?!cjs\/).+\.d\.ts$/);
      expect(target.import.default).toMatch(/^\.\/dist\/(?!cjs\/).+\.js$/);
      expect(target.require.types).toMatch(/^\.\/dist\/cjs\/.+\.d\.ts$/);
      expect(target.require.default).toMatch(/^\.\/dist\/cjs\/.+\.js$/);
    }
  });

  it('points node10 resolution (tsconfig "module": "commonjs") at the CommonJS types of every entry', () => {
    const exportsOf = (entry: string): { types?: string } =>
      (manifest.exports[entry] as Record<string, { types?: string }>).require;
    expect(manifest.types).toBe(exportsOf('.').types);
    expect(manifest.main).toBe((manifest.exports['.'] as Record<string, { default?: string }>).require.default);
    expect(manifest.typesVersions).toEqual({
      '*': { config: [exportsOf('./config').types], testing: [exportsOf('./testing').types] },
    });
  });

  it('has a peer range for every optional peer that the compatibility apps install', () => {
    const peers = manifest.peerDependencies ?? {};
    for (const app of ['nest11-cjs', 'nest12-esm']) {
      const fixture = JSON.parse(readFileSync(join(root, 'test/compat', app, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      for (const [name, range] of Object.entries(fixture.dependencies)) {
        if (!(name in peers)) continue;
        const major = /\d+/.exec(range)?.[0];
        expect({ name, app, covered: peers[name].split('||').some((r) => /\d+/.exec(r)?.[0] === major) }).toEqual({
          name,
          app,
          covered: true,
        });
      }
    }
  });
});
