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

/** Validates a Polar metadata object (see `metadataProblem`). */
export function IsPolarMetadata(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPolarMetadata',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => metadataProblem(value, args.property) === undefined,
        defaultMessage: (args: ValidationArguments) => metadataProblem(args.value, args.property) ?? '',
      },
    });
}
