/**
 * Dual-package hazard guard. The package ships an ESM build (`import`) and a CommonJS build
 * (`require`) of the same code; if one process loaded both, it would hold two `PolarModule` classes
 * and two sets of injection tokens, and providers from one copy would not resolve in the other.
 * Each build records its format in a process-wide registry when it loads, and the second format
 * to load throws instead of running beside the first.
 */
const LOADED = Symbol.for('nestjs-polar.loaded-format');

type PackageFormat = 'ESM (import)' | 'CommonJS (require)';

// `__filename` exists only in CommonJS modules (Node's wrapper, jest's CommonJS runtime).
const format: PackageFormat = typeof __filename === 'string' ? 'CommonJS (require)' : 'ESM (import)';
const registry = globalThis as { [LOADED]?: PackageFormat };
const first = registry[LOADED];

if (first !== undefined && first !== format) {
  throw new Error(
    `nestjs-polar was loaded as ${first} and again as ${format} in one process: that would give ` +
      'the app two PolarModule classes and two sets of injection tokens. Load nestjs-polar one way ' +
      'everywhere: import it from ESM code or require() it from CommonJS code, not both.',
  );
}
registry[LOADED] = format;
