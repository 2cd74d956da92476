import { polarState, polarStateError } from '../customers/dto/polar-address.rules.js';
import { polarEmailDomainProblem } from '../customers/dto/polar-email.rules.js';
import { polarLocale } from '../customers/dto/polar-locale.rules.js';
import { ISO_COUNTRIES } from './iso-countries.js';
import { ValidationFailure, type ValidationIssue } from './emulator.http.js';
import type { PolarEmulatorAddress, PolarEmulatorMetadata } from './emulator.types.js';

/** Location of a value inside the request, e.g. `['body', 'email']`. */
export type Loc = (string | number)[];

/** Collects validation issues while a body is checked. */
export class Issues {
  readonly items: ValidationIssue[] = [];

  add(type: string, loc: Loc, msg: string, input: unknown, ctx?: Record<string, unknown>): void {
    this.items.push(ctx ? { type, loc, msg, input, ctx } : { type, loc, msg, input });
  }

  get empty(): boolean {
    return this.items.length === 0;
  }
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const EMAIL_RE =
  /^[^\s@"<>()[\],;:\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,63}$/i;
// pydantic's EmailStr accepts `Name <address>` and keeps only the address.
const PRETTY_EMAIL_RE =
  /^\s*(?:(?:[\w!#$%&'*+\-/=?^`{|}~]+\s+)*[\w!#$%&'*+\-/=?^`{|}~]+|"(?:[^"]|\\")+")?\s*<(.+)>\s*$/u;

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a UUID of any version; adds pydantic's issue when it is not one. Returns it lower-case with dashes. */
export function checkUuid(value: unknown, loc: Loc, issues: Issues): string | undefined {
  if (typeof value !== 'string') {
    issues.add('uuid_type', loc, 'UUID input should be a string, bytes or UUID object', value);
    return undefined;
  }
  if (!UUID_RE.test(value)) {
    issues.add('uuid_parsing', loc, 'Input should be a valid UUID, invalid format', value, {
      error: 'invalid format',
    });
    return undefined;
  }
  const hex = value.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Checks a version-4 UUID; adds pydantic's issue when it is not one. */
export function checkUuid4(value: unknown, loc: Loc, issues: Issues): string | undefined {
  const uuid = checkUuid(value, loc, issues);
  if (uuid === undefined) return undefined;
  if (uuid[14] !== '4') {
    issues.add('uuid_version', loc, 'UUID version 4 expected', value, { expected_version: 4 });
    return undefined;
  }
  return uuid;
}

/** Checks a string field (NUL characters and length); `undefined` when invalid. */
export function checkString(
  value: unknown,
  loc: Loc,
  issues: Issues,
  limits: { min?: number; max?: number } = {},
): string | undefined {
  if (typeof value !== 'string') {
    issues.add('string_type', loc, 'Input should be a valid string', value);
    return undefined;
  }
  if (value.includes('\u0000')) {
    issues.add('value_error', loc, 'This value contains invalid characters', value, {
      error: 'This value contains invalid characters',
    });
    return undefined;
  }
  if (limits.min !== undefined && value.length < limits.min) {
    const unit = limits.min === 1 ? 'character' : 'characters';
    issues.add('string_too_short', loc, `String should have at least ${limits.min} ${unit}`, value, {
      min_length: limits.min,
    });
    return undefined;
  }
  if (limits.max !== undefined && value.length > limits.max) {
    issues.add('string_too_long', loc, `String should have at most ${limits.max} characters`, value, {
      max_length: limits.max,
    });
    return undefined;
  }
  return value;
}

/** A nullable string where `""` becomes null (name, external_id…). */
export function checkOptionalText(
  value: unknown,
  loc: Loc,
  issues: Issues,
  limits: { max?: number; trim?: boolean } = {},
): string | null | undefined {
  if (value === null) return null;
  const text = checkString(value, loc, issues, { max: limits.max });
  if (text === undefined) return undefined;
  const cleaned = limits.trim ? text.trim() : text;
  return cleaned === '' ? null : cleaned;
}

/**
 * Checks an e-mail address as Polar's `EmailStrDNS` does: pydantic's syntax check and normalisation (surrounding
 * spaces and a `Name <…>` wrapper dropped, the domain lower-cased), email-validator's special-use names, then the
 * deliverability check, which offline knows only the null-MX example domains (every other domain is assumed to
 * accept mail). Returns the normalised address.
 */
export function checkEmail(value: unknown, loc: Loc, issues: Issues): string | undefined {
  const raw = checkString(value, loc, issues);
  if (raw === undefined) return undefined;
  const text = (PRETTY_EMAIL_RE.exec(raw)?.[1] ?? raw).trim();
  const syntaxError = (reason: string): undefined => {
    issues.add('value_error', loc, `value is not a valid email address: ${reason}`, raw, { reason });
    return undefined;
  };
  if (!text.includes('@')) return syntaxError('An email address must have an @-sign.');
  if (!EMAIL_RE.test(text)) return syntaxError('The email address is not valid.');
  const at = text.lastIndexOf('@');
  const domain = text.slice(at + 1).toLowerCase();
  const email = `${text.slice(0, at)}@${domain}`;
  const problem = polarEmailDomainProblem(domain);
  if (problem?.kind === 'special-use') {
    return syntaxError('The part after the @-sign is a special-use or reserved name that cannot be used with email.');
  }
  if (problem?.kind === 'null-mx') {
    const { reason } = problem;
    issues.add('value_error', loc, `${email} is not a valid email address: ${reason}`, raw, { email, reason });
    return undefined;
  }
  return email;
}

/**
 * What Python's `json.dumps` writes (default separators `", "` and `": "`, `ensure_ascii`: every character
 * outside space..tilde escaped as `\uXXXX`): Polar's exports and its metadata size rules count this text.
 */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (isObject(value))
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(item)}`)
      .join(', ')}}`;
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Checks Polar's metadata rules: ≤ 50 keys of 1–40 chars; values string(1–500)/int/float/bool. */
export function checkMetadata(value: unknown, loc: Loc, issues: Issues): PolarEmulatorMetadata | undefined {
  if (!isObject(value)) {
    issues.add('dict_type', loc, 'Input should be a valid dictionary', value);
    return undefined;
  }
  const entries = Object.entries(value);
  const before = issues.items.length;
  if (entries.length > 50) {
    issues.add(
      'too_long',
      loc,
      `Dictionary should have at most 50 items after validation, not ${entries.length}`,
      value,
      {
        field_type: 'Dictionary',
        max_length: 50,
        actual_length: entries.length,
      },
    );
  }
  for (const [key, item] of entries) {
    checkString(key, [...loc, key, '[key]'], issues, { min: 1, max: 40 });
    if (typeof item === 'string') {
      checkString(item, [...loc, key, 'str'], issues, { min: 1, max: 500 });
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item))
        issues.add('finite_number', [...loc, key, 'float'], 'Input should be a finite number', item);
    } else if (typeof item !== 'boolean') {
      // pydantic reports one issue per member of the union it tried.
      issues.add('string_type', [...loc, key, 'str'], 'Input should be a valid string', item);
      issues.add('int_type', [...loc, key, 'int'], 'Input should be a valid integer', item);
      issues.add('float_type', [...loc, key, 'float'], 'Input should be a valid number', item);
      issues.add('bool_type', [...loc, key, 'bool'], 'Input should be a valid boolean', item);
    }
  }
  return issues.items.length === before ? (value as PolarEmulatorMetadata) : undefined;
}

/** Checks a billing address: `country` (ISO 3166-1 alpha-2) required, other lines optional strings. */
export function checkAddress(value: unknown, loc: Loc, issues: Issues): PolarEmulatorAddress | undefined {
  if (!isObject(value)) {
    issues.add(
      'model_attributes_type',
      loc,
      'Input should be a valid dictionary or object to extract fields from',
      value,
    );
    return undefined;
  }
  const before = issues.items.length;
  const address: PolarEmulatorAddress = {
    line1: null,
    line2: null,
    postal_code: null,
    city: null,
    state: null,
    country: '',
  };
  for (const field of ['line1', 'line2', 'postal_code', 'city', 'state'] as const) {
    const raw = value[field];
    if (raw === undefined || raw === null) continue;
    // EmptyStrToNone: stripped, and "" becomes null.
    const text = checkString(raw, [...loc, field], issues)?.trim();
    if (text !== undefined) address[field] = text === '' ? null : text;
  }
  // AddressInput upper-cases the country before the enum check.
  const country = typeof value.country === 'string' ? value.country.toUpperCase() : value.country;
  if (country === undefined) {
    issues.add('missing', [...loc, 'country'], 'Field required', value);
  } else if (typeof country !== 'string' || !ISO_COUNTRIES.has(country)) {
    issues.add('enum', [...loc, 'country'], 'Input should be a valid ISO 3166-1 alpha-2 country code', value.country);
  } else {
    address.country = country;
  }
  if (issues.items.length !== before) return undefined;
  const stateError = checkState(address);
  if (stateError) {
    issues.add('value_error', loc, `Value error, ${stateError}`, value, { error: stateError });
    return undefined;
  }
  return address;
}

/** Polar's `Address.validate_state`: a US or CA state gets its `US-`/`CA-` prefix and must be a known one. */
function checkState(address: PolarEmulatorAddress): string | undefined {
  if (address.state === null) return undefined;
  address.state = polarState(address.country, address.state);
  return polarStateError(address.country, address.state);
}

/** Checks an http(s) URL of 1–2083 chars; returns it normalised the way pydantic's HttpUrl does. */
export function checkHttpUrl(value: unknown, loc: Loc, issues: Issues): string | undefined {
  const text = checkString(value, loc, issues, { min: 1, max: 2083 });
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    issues.add('url_parsing', loc, 'Input should be a valid URL, relative URL without a base', text, {
      error: 'relative URL without a base',
    });
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    issues.add('url_scheme', loc, "URL scheme should be 'http' or 'https'", text, {
      expected_schemes: "'http' or 'https'",
    });
    return undefined;
  }
  return url.href;
}

/**
 * Polar's `Locale`: a valid BCP 47 tag with a real language subtag (not `und`, not private use), stored in its
 * standard casing (`en-US`, `zh-Hant-TW`). Polar's langcodes also maps deprecated subtags, which the emulator does not.
 */
export function checkLocale(value: unknown, loc: Loc, issues: Issues): string | null | undefined {
  if (value === null) return null;
  const text = checkString(value, loc, issues);
  if (text === undefined) return undefined;
  const locale = polarLocale(text);
  if (locale === undefined) {
    issues.add('value_error', loc, 'Value error, Invalid IETF BCP 47 language tag', text, {
      error: 'Invalid IETF BCP 47 language tag',
    });
  }
  return locale;
}

/**
 * Polar's rule for a create body's `organization_id` with an organization token: the id is implied by the
 * token, so a well-formed one is refused on its own (after the body's other 422 issues).
 */
export function refuseOrganizationId(body: Record<string, unknown>): void {
  if (body.organization_id !== undefined && body.organization_id !== null) {
    throw ValidationFailure.polar(
      'organization_id',
      'Setting organization_id is disallowed when using an organization token.',
      body.organization_id,
      'organization_token',
    );
  }
}

/**
 * A pydantic `datetime` (ISO 8601, date first): `datetime_from_date_parsing` when it is not one. The one rule for
 * every date-time field the emulator takes (discount windows, trial and period ends, event timestamps).
 */
export function checkDatetime(value: unknown, loc: Loc, issues: Issues): Date | undefined {
  const parsed = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (!Number.isNaN(parsed.getTime())) return parsed;
  issues.add(
    'datetime_from_date_parsing',
    loc,
    'Input should be a valid datetime or date, invalid character in year',
    value,
    {
      error: 'invalid character in year',
    },
  );
  return undefined;
}

/**
 * The tag of a pydantic discriminated union (`type`, `amount_type`): `union_tag_not_found` when absent,
 * `union_tag_invalid` when it is none of `tags` (when given). Returns the tag when it is usable.
 */
export function checkUnionTag<T extends string>(
  raw: Record<string, unknown>,
  discriminator: string,
  tags: readonly T[] | null,
  loc: Loc,
  issues: Issues,
): T | undefined {
  const tag = raw[discriminator];
  if (tag === undefined) {
    issues.add('union_tag_not_found', loc, `Unable to extract tag using discriminator '${discriminator}'`, raw, {
      discriminator: `'${discriminator}'`,
    });
    return undefined;
  }
  if (tags === null || (tags as readonly unknown[]).includes(tag)) return tag as T;
  const expected = tags.map((t) => `'${t}'`).join(', ');
  issues.add(
    'union_tag_invalid',
    loc,
    `Input tag '${String(tag)}' found using '${discriminator}' does not match any of the expected tags: ${expected}`,
    raw,
    { discriminator: `'${discriminator}'`, tag: String(tag), expected_tags: expected },
  );
  return undefined;
}
