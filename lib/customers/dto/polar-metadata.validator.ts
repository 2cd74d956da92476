import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** Polar's metadata limits (API-FACTS): at most 50 keys, key 1–40 chars. */
export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
/** String values are 1–500 chars; numbers and booleans are allowed, null and objects are not. */
export const METADATA_MAX_VALUE_LENGTH = 500;

/** Why a metadata object breaks Polar's rules, or `undefined` when it is valid. */
export function metadataProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${field} must be an object`;
  const entries = Object.entries(value);
  if (entries.length > METADATA_MAX_KEYS) return `${field} must have at most ${METADATA_MAX_KEYS} keys`;
  for (const [key, entry] of entries) {
    const keyProblem = reservedKeyProblem(key, field);
    if (keyProblem) return keyProblem;
    if (key.length < 1 || key.length > METADATA_MAX_KEY_LENGTH) {
      return `${field} keys must be 1 to ${METADATA_MAX_KEY_LENGTH} characters long (key "${key.slice(0, 40)}…")`;
    }
    if (typeof entry === 'string') {
      if (entry.length < 1 || entry.length > METADATA_MAX_VALUE_LENGTH) {
        return `${field}.${key} must be a string of 1 to ${METADATA_MAX_VALUE_LENGTH} characters, a number or a boolean`;
      }
    } else if (!(typeof entry === 'boolean' || (typeof entry === 'number' && Number.isFinite(entry)))) {
      return `${field}.${key} must be a string of 1 to ${METADATA_MAX_VALUE_LENGTH} characters, a number or a boolean`;
    }
  }
  return undefined;
}

/**
 * `__proto__` is refused as a key: any JavaScript object it is copied into on the way to Polar
 * (`obj[key] = value`) takes it as a prototype change, so what was checked would not be what is sent.
 */
function reservedKeyProblem(key: string, field: string): string | undefined {
  return key === '__proto__' ? `${field} must not have the key "__proto__"` : undefined;
}

const isFilterScalar = (value: unknown): boolean =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/**
 * Why a `list()` metadata filter is wrong, or `undefined`: an object whose values are a string,
 * number or boolean, or a non-empty array of them (sent as `metadata[key]=value`, repeated).
 */
export function metadataFilterProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${field} must be an object`;
  for (const [key, entry] of Object.entries(value)) {
    const keyProblem = reservedKeyProblem(key, field);
    if (keyProblem) return keyProblem;
    if (key.length === 0) return `${field} keys must not be empty`;
    const ok = Array.isArray(entry) ? entry.length > 0 && entry.every(isFilterScalar) : isFilterScalar(entry);
    if (!ok) return `${field}.${key} must be a string, number or boolean, or a non-empty array of them`;
  }
  return undefined;
}

/** Validates a `list()` metadata filter (see `metadataFilterProblem`). */
export function IsPolarMetadataFilter(options?: ValidationOptions): PropertyDecorator {
  return polarRule('isPolarMetadataFilter', metadataFilterProblem, options);
}

function polarRule(
  name: string,
  problem: (value: unknown, field: string) => string | undefined,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => problem(value, args.property) === undefined,
        defaultMessage: (args: ValidationArguments) => problem(args.value, args.property) ?? '',
      },
    });
}

/** Validates a Polar metadata object (see `metadataProblem`). */
export function IsPolarMetadata(options?: ValidationOptions): PropertyDecorator {
  return polarRule('isPolarMetadata', metadataProblem, options);
}
