import {
  IsDefined,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { NestedPolarInput } from '../../errors/polar-input.nested.js';
import { PolarAddressDto } from './address.dto.js';
import { polarEmailRefusal } from './polar-email.rules.js';
import { polarLocale } from './polar-locale.rules.js';
import { validateTaxId } from './polar-tax-id.rules.js';

/**
 * Combines property decorators exactly as if they were written stacked in this order above the
 * property: the last one is applied first, as TypeScript does. The order matters because
 * class-validator reports a field's failed rules in the order they were registered.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyKey) => {
    for (const decorator of [...decorators].reverse()) decorator(target, propertyKey);
  };
}

/** Polar's rule for a customer's (or owner's) `name`: optional, a string of at most 256 characters. */
export function IsPolarCustomerName(): PropertyDecorator {
  return stacked(IsOptional(), IsString(), MaxLength(256));
}

/** Polar's customer `type`: `individual` or `team`. */
export function IsPolarCustomerType(): PropertyDecorator {
  return IsIn(['individual', 'team'], { message: 'type must be "individual" or "team"' });
}

/** Polar's `billing_address`: an address object, required as soon as `tax_id` is set. */
export function IsPolarBillingAddress(): PropertyDecorator {
  return stacked(
    ValidateIf(
      (dto: { billing_address?: unknown; tax_id?: unknown }) => dto.billing_address != null || dto.tax_id != null,
    ),
    IsDefined({ message: 'billing_address is required when tax_id is set' }),
    IsObject({ message: 'billing_address must be an object' }),
    ValidateNested(),
    NestedPolarInput(() => PolarAddressDto),
  );
}

/**
 * `billing_address` on update: Polar refuses an explicit `null` (an address cannot be reset once set, and a null is
 * refused even when none was), and checks a `tax_id` against the stored address, so it is not required here.
 */
export function IsPolarBillingAddressUpdate(): PropertyDecorator {
  return stacked(
    ValidateIf((dto: { billing_address?: unknown }) => dto.billing_address !== undefined),
    IsDefined({ message: 'billing_address cannot be null: Polar refuses to reset a billing address' }),
    IsObject({ message: 'billing_address must be an object' }),
    ValidateNested(),
    NestedPolarInput(() => PolarAddressDto),
  );
}

/** A field Polar stores as a non-null value (`metadata`): omitted is fine (its other rules are skipped), `null` is refused. */
export function IsNotNullWhenSent(message: string): PropertyDecorator {
  return stacked(
    ValidateIf((dto: Record<string | symbol, unknown>, value: unknown) => value !== undefined),
    IsDefined({ message }),
  );
}

/**
 * Polar's `EmailStrDNS`, as far as it can be checked offline: a valid address (`message` otherwise) whose domain
 * accepts mail — not a special-use or reserved name (`.test`, `.local`, …), not the null-MX example domains.
 */
export function IsPolarEmail(message: string): PropertyDecorator {
  return stacked(
    IsEmail({}, { message }),
    ValidateBy({
      name: 'isPolarEmailDomain',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || polarEmailRefusal(value) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'email'} is refused by Polar: ${polarEmailRefusal(String(args?.value))}`,
      },
    }),
  );
}

/** The billing country a body sends with its tax ID, upper-cased as Polar reads it. */
function billingCountryOf(dto: object): string | undefined {
  const country = (dto as { billing_address?: { country?: unknown } | null }).billing_address?.country;
  return typeof country === 'string' ? country.toUpperCase() : undefined;
}

/**
 * Polar's tax ID rule (python-stdnum's formats of the billing country, with their checksums): checked against the
 * `billing_address` sent in the same body. An update without one is checked by Polar against the stored address.
 */
export function IsPolarTaxId(): PropertyDecorator {
  return stacked(
    IsOptional(),
    IsString(),
    ValidateBy({
      name: 'isPolarTaxId',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const country = args ? billingCountryOf(args.object) : undefined;
          return typeof value !== 'string' || country === undefined || validateTaxId(value, country) !== null;
        },
        defaultMessage: (args?: ValidationArguments) =>
          `tax_id is not a valid tax ID for billing_address.country ${args ? billingCountryOf(args.object) : ''} ` +
          "(Polar checks the format and checksum of the country's tax IDs)",
      },
    }),
  );
}

/** Polar's `Locale`: a BCP 47 language tag with a real language (`en`, `en-US`; not `und` or private use). */
export function IsPolarLocale(): PropertyDecorator {
  return stacked(
    IsOptional(),
    IsString(),
    ValidateBy({
      name: 'isPolarLocale',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || polarLocale(value) !== undefined,
        defaultMessage: () => 'locale must be a BCP 47 language tag such as en or en-US (not und or a private-use tag)',
      },
    }),
  );
}
