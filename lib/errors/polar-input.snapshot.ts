import type { PolarInputProblem } from './polar.exceptions.js';

/** Deeper than any Polar body: a cycle or a hostile structure stops here with a 400. */
const MAX_INPUT_DEPTH = 8;

// An unpaired UTF-16 surrogate: not representable in UTF-8, so never sendable as typed.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** What a string may not contain, whatever field it is in (also path parameters and object keys). */
export function stringProblems(field: string, value: string): PolarInputProblem[] {
  const problems: PolarInputProblem[] = [];
  if (value.includes('\u0000')) {
    problems.push({ field, rule: 'noNulCharacter', message: `${field} must not contain NUL characters` });
  }
  if (LONE_SURROGATE.test(value)) {
    problems.push({
      field,
      rule: 'isWellFormedUnicode',
      message: `${field} must be well-formed Unicode (it contains a lone surrogate)`,
    });
  }
  return problems;
}

/** The input as plain data, read once, plus every problem found while reading it. */
export interface PolarInputSnapshot {
  /** `undefined` when the input is not an object. */
  value: Record<string, unknown> | undefined;
  problems: PolarInputProblem[];
}

/**
 * Reads the input exactly once into plain data: own enumerable string-keyed data properties only
 * (prototype getters, `toJSON()` and symbol keys are never consulted), every key copied as an own
 * property whatever its name (`__proto__` included, so it can be refused by name instead of
 * silently changing a prototype). A getter, a function, a value a Proxy trap fails to give, or a
 * structure deeper than any Polar body is a problem, never a throw. What the checks see and what
 * is sent to Polar are both this copy, so nothing can change between them.
 */
export function snapshotInput(input: unknown): PolarInputSnapshot {
  const problems: PolarInputProblem[] = [];
  if (!isObjectInput(input)) {
    problems.push({ field: 'input', rule: 'isObject', message: 'input must be an object' });
    return { value: undefined, problems };
  }
  const value = copyValue(input, '', 0, problems);
  return { value: isRecord(value) ? value : undefined, problems };
}

function isObjectInput(input: unknown): boolean {
  try {
    return typeof input === 'object' && input !== null && !Array.isArray(input);
  } catch {
    // Array.isArray throws for a revoked Proxy.
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function copyValue(value: unknown, field: string, depth: number, problems: PolarInputProblem[]): unknown {
  const name = field || 'input';
  switch (typeof value) {
    case 'string':
      problems.push(...stringProblems(name, value));
      return value;
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      if (value === null) return null;
      if (depth >= MAX_INPUT_DEPTH) {
        problems.push({ field: name, rule: 'maxDepth', message: `${name} is nested too deeply` });
        return undefined;
      }
      try {
        return Array.isArray(value)
          ? copyArray(value, field, depth, problems)
          : copyObject(value, field, depth, problems);
      } catch {
        problems.push({ field: name, rule: 'isReadable', message: `${name} could not be read` });
        return undefined;
      }
    default:
      problems.push({
        field: name,
        rule: 'isJsonValue',
        message: `${name} must be a string, number, boolean, null, array or object`,
      });
      return undefined;
  }
}

function copyObject(value: object, field: string, depth: number, problems: PolarInputProblem[]): object {
  const copy: Record<string, unknown> = {};
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
    if (!descriptor?.enumerable) continue;
    const child = field ? `${field}.${key}` : key;
    problems.push(...stringProblems(child, key));
    const data = dataOf(descriptor, child, problems);
    const copied = data.ok ? copyValue(data.value, child, depth + 1, problems) : undefined;
    // Like JSON: an undefined property is left out.
    if (copied !== undefined) define(copy, key, copied);
  }
  return copy;
}

function copyArray(value: unknown[], field: string, depth: number, problems: PolarInputProblem[]): unknown[] {
  const length = Reflect.getOwnPropertyDescriptor(value, 'length')?.value as number;
  const copy: unknown[] = [];
  for (let index = 0; index < length; index++) {
    const child = `${field || 'input'}[${index}]`;
    const descriptor = Reflect.getOwnPropertyDescriptor(value, String(index));
    const data = descriptor ? dataOf(descriptor, child, problems) : { ok: true as const, value: undefined };
    copy.push(data.ok ? (copyValue(data.value, child, depth + 1, problems) ?? null) : null);
  }
  return copy;
}

function dataOf(
  descriptor: PropertyDescriptor,
  field: string,
  problems: PolarInputProblem[],
): { ok: true; value: unknown } | { ok: false } {
  if ('value' in descriptor || !('get' in descriptor || 'set' in descriptor)) {
    return { ok: true, value: descriptor.value };
  }
  problems.push({ field, rule: 'isDataProperty', message: `${field} must be a plain value, not a getter` });
  return { ok: false };
}

/** Sets an own data property, whatever the key: `copy[key] = …` would run `__proto__`'s setter. */
export function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
