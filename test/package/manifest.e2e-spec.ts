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

  it('is an ESM package whose public entries carry types', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.files).toEqual(['dist']);
    for (const entry of ['.', './config', './testing']) {
      const target = manifest.exports[entry];
      expect(typeof target).toBe('object');
      expect((target as { types?: string }).types).toMatch(/^\.\/dist\/.+\.d\.ts$/);
      expect((target as { default?: string }).default).toMatch(/^\.\/dist\/.+\.js$/);
    }
  });
});
