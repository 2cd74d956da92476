import {
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { NestedPolarInput } from '../../errors/polar-input.nested.js';
import { PolarAddressDto } from './address.dto.js';

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
