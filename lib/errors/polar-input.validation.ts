import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { invalidInputMessage } from '../polar.messages.js';
import { PolarInputException, type PolarInputProblem } from './polar.exceptions.js';
import { nestedPolarInputType } from './polar-input.nested.js';
import { define, snapshotInput, stringProblems } from './polar-input.snapshot.js';

/**
 * Checks a plain object (or DTO instance) against a DTO class before anything is sent to Polar,
 * and returns the body to send: a plain-data copy of the input read once (see `snapshotInput`),
 * which is exactly what was checked. Unknown properties are refused whatever their name
 * (`__proto__`, `constructor`, `toString`…: a typo would otherwise reach Polar or be dropped
 * silently), and so is any NUL character or lone surrogate, which Polar cannot take.
 * @throws PolarInputException (400) naming each field and rule; no input makes it throw anything else.
 */
export async function validatePolarInput<T extends object>(dtoClass: ClassConstructor<T>, input: unknown): Promise<T> {
  const { value, problems } = snapshotInput(input);
  if (value === undefined) throw inputException(problems);
  const instance = toValidationInstance(dtoClass, value, '', problems);
  const errors = await validate(instance, { forbidUnknownValues: true });
  problems.push(...flatten(errors, ''));
  if (problems.length > 0) throw inputException(problems);
  return value as T;
}

/** The properties a DTO class declares (its validation decorators, inherited ones included). */
const knownProperties = new WeakMap<object, ReadonlySet<string>>();
function propertiesOf(dtoClass: ClassConstructor<object>): ReadonlySet<string> {
  let known = knownProperties.get(dtoClass);
  if (!known) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dtoClass, '', true, false);
    known = new Set(metadata.map((entry) => entry.propertyName));
    knownProperties.set(dtoClass, known);
  }
  return known;
}

/**
 * The copy as an instance of the DTO class for class-validator (nested DTOs too, see
 * `NestedPolarInput`); a property the class does not declare is a problem, not a property.
 */
function toValidationInstance(
  dtoClass: ClassConstructor<object>,
  data: Record<string, unknown>,
  path: string,
  problems: PolarInputProblem[],
): object {
  const known = propertiesOf(dtoClass);
  const instance = Object.create(dtoClass.prototype as object) as object;
  for (const key of Object.keys(data)) {
    const field = path ? `${path}.${key}` : key;
    if (!known.has(key)) {
      problems.push({ field, rule: 'whitelistValidation', message: `property ${field} should not exist` });
      continue;
    }
    let value = data[key];
    const nested = nestedPolarInputType(dtoClass, key);
    if (nested && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      value = toValidationInstance(nested, value as Record<string, unknown>, field, problems);
    }
    define(instance, key, value);
  }
  return instance;
}

/** Checks one path/query parameter (an id) with a predicate; same error shape as DTO failures. */
export function assertPolarParam(field: string, value: unknown, rule: string, message: string, ok: boolean): void {
  const problems = typeof value === 'string' ? stringProblems(field, value) : [];
  if (!ok) problems.push({ field, rule, message });
  if (problems.length > 0) throw inputException(problems);
}

/** A version-4 UUID, the shape of every Polar id. */
export const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Polar's ids are version-4 UUIDs; anything else is a 422 from Polar, so we refuse it first. */
export function assertUuid4(field: string, value: unknown): void {
  assertPolarParam(
    field,
    value,
    'isUuid4',
    `${field} must be a version-4 UUID`,
    typeof value === 'string' && UUID4.test(value),
  );
}

/**
 * External ids in a lookup path: a non-empty string that Polar's server can route. It decodes `%2F` before routing,
 * so an id with `/` (or one that is only `.` or `..`, which URLs collapse) can never be found by its path.
 */
export function assertExternalId(field: string, value: unknown): void {
  assertPolarParam(
    field,
    value,
    'isNotEmptyString',
    `${field} must be a non-empty string`,
    typeof value === 'string' && value.trim() !== '',
  );
  assertPolarParam(
    field,
    value,
    'isRoutableExternalId',
    `${field} must not contain "/" or be "." or "..": Polar cannot look such an external id up by path`,
    typeof value === 'string' && !value.includes('/') && value !== '.' && value !== '..',
  );
}

function inputException(problems: PolarInputProblem[]): PolarInputException {
  return new PolarInputException(
    invalidInputMessage(problems.map((problem) => `${problem.message} (${problem.rule})`)),
    problems,
  );
}

function flatten(errors: ValidationError[], prefix: string): PolarInputProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule,
      // class-validator words nested messages with the bare property; name the full path instead.
      message: message.startsWith(`${error.property} `) ? `${field}${message.slice(error.property.length)}` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
