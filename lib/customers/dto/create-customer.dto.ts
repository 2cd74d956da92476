import { IsDefined, IsObject, IsOptional, IsString, IsUUID, ValidateIf, ValidateNested } from 'class-validator';
import { NestedPolarInput } from '../../errors/polar-input.nested.js';
import { PolarAddressDto } from './address.dto.js';
import {
  IsPolarBillingAddress,
  IsPolarCustomerName,
  IsPolarCustomerType,
  IsPolarEmail,
  IsPolarLocale,
  IsPolarTaxId,
} from './customer-field.decorator.js';
import { PolarCustomerOwnerDto } from './customer-owner.dto.js';
import { IsPolarMetadata } from './polar-metadata.validator.js';

/** Body of `CustomersService.create()`: Polar's rules for a new customer, checked before sending. */
export class CreateCustomerDto {
  /** `individual` (default) needs an email; `team` needs an email or an owner. */
  @IsOptional() @IsPolarCustomerType() type?: 'individual' | 'team';

  @ValidateIf((dto: CreateCustomerDto) => dto.type !== 'team' || dto.email != null)
  @IsPolarEmail('email must be a valid email address (required for individual customers)')
  email?: string | null;

  /** Your user id; unique per organization and can never change once set. */
  @IsOptional() @IsString() external_id?: string | null;

  @IsPolarCustomerName() name?: string | null;

  @IsOptional() @IsPolarMetadata() metadata?: Record<string, string | number | boolean>;

  @IsPolarBillingAddress() billing_address?: PolarAddressDto | null;

  @IsPolarTaxId() tax_id?: string | null;

  @IsPolarLocale() locale?: string | null;

  @IsOptional() @IsUUID('4', { message: 'organization_id must be a version-4 UUID' }) organization_id?: string | null;

  @ValidateIf((dto: CreateCustomerDto) => dto.owner != null || (dto.type === 'team' && dto.email == null))
  @IsDefined({ message: 'owner is required for a team customer without an email' })
  @IsObject({ message: 'owner must be an object' })
  @ValidateNested()
  @NestedPolarInput(() => PolarCustomerOwnerDto)
  owner?: PolarCustomerOwnerDto | null;
}
