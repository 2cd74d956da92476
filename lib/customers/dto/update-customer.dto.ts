import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { IsDefined } from 'class-validator';
import { PolarAddressDto } from './address.dto.js';
import { IsPolarMetadata } from './polar-metadata.validator.js';

/** Body of `CustomersService.updateByExternalId()` (the external id itself cannot change). */
export class UpdateCustomerByExternalIdDto {
  @IsOptional() @IsEmail({}, { message: 'email must be a valid email address' }) email?: string | null;

  @IsOptional() @IsString() @MaxLength(256) name?: string | null;

  @IsOptional() @IsPolarMetadata() metadata?: Record<string, string | number | boolean>;

  @ValidateIf((dto: UpdateCustomerByExternalIdDto) => dto.billing_address != null || dto.tax_id != null)
  @IsDefined({ message: 'billing_address is required when tax_id is set' })
  @IsObject({ message: 'billing_address must be an object' })
  @ValidateNested()
  @Type(() => PolarAddressDto)
  billing_address?: PolarAddressDto | null;

  @IsOptional() @IsString() tax_id?: string | null;

  @IsOptional() @IsString() locale?: string | null;
}

/**
 * Body of `CustomersService.update()`. `external_id` may be set once on a customer that has none;
 * Polar refuses to change it afterwards. `type` can only go from `individual` to `team`.
 */
export class UpdateCustomerDto extends UpdateCustomerByExternalIdDto {
  @IsOptional() @IsString() external_id?: string | null;

  @IsOptional() @IsIn(['individual', 'team'], { message: 'type must be "individual" or "team"' }) type?:
    | 'individual'
    | 'team'
    | null;
}
