import { IsOptional, IsString } from 'class-validator';
import { PolarAddressDto } from './address.dto.js';
import {
  IsNotNullWhenSent,
  IsPolarBillingAddressUpdate,
  IsPolarCustomerName,
  IsPolarCustomerType,
  IsPolarEmail,
  IsPolarLocale,
  IsPolarTaxId,
} from './customer-field.decorator.js';
import { IsPolarMetadata } from './polar-metadata.validator.js';

/** Body of `CustomersService.updateByExternalId()` (the external id itself cannot change). */
export class UpdateCustomerByExternalIdDto {
  @IsOptional() @IsPolarEmail('email must be a valid email address') email?: string | null;

  @IsPolarCustomerName() name?: string | null;

  /** Replaces the whole metadata; `{}` removes every key (Polar refuses `null`). */
  @IsNotNullWhenSent('metadata cannot be null: send {} to remove every key')
  @IsPolarMetadata()
  metadata?: Record<string, string | number | boolean>;

  /** Once set, a billing address can be replaced but never removed (Polar refuses `null`). */
  @IsPolarBillingAddressUpdate() billing_address?: PolarAddressDto;

  @IsPolarTaxId() tax_id?: string | null;

  @IsPolarLocale() locale?: string | null;
}

/**
 * Body of `CustomersService.update()`. `external_id` may be set once on a customer that has none;
 * Polar refuses to change it afterwards. `type` can only go from `individual` to `team`.
 */
export class UpdateCustomerDto extends UpdateCustomerByExternalIdDto {
  @IsOptional() @IsString() external_id?: string | null;

  @IsOptional() @IsPolarCustomerType() type?: 'individual' | 'team' | null;
}
