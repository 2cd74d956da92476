import { IsOptional, IsString, Matches } from 'class-validator';
import { IsISO31661Alpha2 } from 'class-validator';

/** A billing address; `country` (ISO 3166-1 alpha-2, upper case) is required. */
export class PolarAddressDto {
  @IsOptional() @IsString() line1?: string | null;
  @IsOptional() @IsString() line2?: string | null;
  @IsOptional() @IsString() postal_code?: string | null;
  @IsOptional() @IsString() city?: string | null;
  @IsOptional() @IsString() state?: string | null;

  @Matches(/^[A-Z]{2}$/, { message: 'country must be two upper-case letters (ISO 3166-1 alpha-2, e.g. US)' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 country code (e.g. US)' })
  country!: string;
}
