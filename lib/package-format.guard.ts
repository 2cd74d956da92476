import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Dual-package hazard guard. The package ships an ESM build (dist/, for `import`) and a CommonJS
 * build (dist/cjs/, for `require`) of the same code. If one process loaded both, it would hold two
 * `PolarModule` classes and two sets of injection tokens, and providers of one copy would not resolve
 * in the other. Each build records, process-wide, which of its two files loaded for its install
 * folder; the other build of the same install then throws instead of running beside it.
 */
const LOADED = Symbol.for('nestjs-polar.loaded-build');

/** This file's own path, from V8's call sites (not the stack text, which source maps rewrite). */
function thisFile(): string {
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, sites) => sites;
    const sites = new Error().stack as unknown as NodeJS.CallSite[];
    const name = sites[0]?.getFileName() ?? '';
    return name.startsWith('file:') ? fileURLToPath(name) : name;
  } finally {
    Error.prepareStackTrace = original;
  }
}

const file = thisFile();
const buildDir = dirname(file);
// dist/cjs/ and dist/ are the two builds of one install.
const install = basename(buildDir) === 'cjs' ? dirname(buildDir) : buildDir;
const registry = globalThis as { [LOADED]?: Map<string, string> };
const loaded = (registry[LOADED] ??= new Map<string, string>());
const first = loaded.get(install);

if (first !== undefined && first !== file) {
  throw new Error(
    `nestjs-polar was loaded twice in one process, from ${first} and from ${file} (its ESM and ` +
      'CommonJS builds): the app would get two PolarModule classes and two sets of injection tokens. ' +
      'Load nestjs-polar one way everywhere: import it from ESM code or require() it from CommonJS code, not both.',
  );
}
loaded.set(install, file);
