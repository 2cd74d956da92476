import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { invalidInputMessage } from '../polar.messages.js';
import { PolarInputException, type PolarInputProblem } from './polar.exceptions.js';

/**
 * Checks a plain object (or DTO instance) against a DTO class before anything is sent to Polar.
 * Unknown properties are rejected (a typo would otherwise reach Polar or be dropped silently),
 * and so is any NUL character, which Polar refuses in every string. Returns the input unchanged.
 * @throws PolarInputException (400) naming each field and rule.
 */
export async function validatePolarInput<T extends object>(dtoClass: ClassConstructor<T>, input: unknown): Promise<T> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw inputException([{ field: 'input', rule: 'isObject', message: 'input must be an object' }]);
  }
  const problems = findNulCharacters(input, '');
  const instance = plainToInstance(dtoClass, input);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  problems.push(...flatten(errors, ''));
  if (problems.length > 0) throw inputException(problems);
  return input as T;
}

/** Checks one path/query parameter (an id) with a predicate; same error shape as DTO failures. */
export function assertPolarParam(field: string, value: unknown, rule: string, message: string, ok: boolean): void {
  const problems: PolarInputProblem[] = [];
  if (typeof value === 'string' && value.includes('\u0000')) {
    problems.push({ field, rule: 'noNulCharacter', message: `${field} must not contain NUL characters` });
  }
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

function findNulCharacters(value: unknown, path: string): PolarInputProblem[] {
  const problem = (field: string): PolarInputProblem => ({
    field,
    rule: 'noNulCharacter',
    message: `${field} must not contain NUL characters`,
  });
  if (typeof value === 'string') return value.includes('\u0000') ? [problem(path || 'input')] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const field = path ? `${path}.${key}` : key;
    return [...(key.includes('\u0000') ? [problem(field)] : []), ...findNulCharacters(child, field)];
  });
}
