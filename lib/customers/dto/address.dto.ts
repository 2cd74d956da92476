import { IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { polarStateError } from './polar-address.rules.js';
import { IsISO31661Alpha2 } from 'class-validator';

/** A billing address; `country` (ISO 3166-1 alpha-2, upper case) is required. */
export class PolarAddressDto {
  @IsOptional() @IsString() line1?: string | null;
  @IsOptional() @IsString() line2?: string | null;
  @IsOptional() @IsString() postal_code?: string | null;
  @IsOptional() @IsString() city?: string | null;
  /** For US and CA a state or province code, with or without its prefix (`CA`, `US-CA`); Polar stores it prefixed. */
  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'isPolarState',
    validator: {
      validate: (state: string, args) => {
        const country = (args?.object as PolarAddressDto).country;
        return typeof country !== 'string' || polarStateError(country, state) === undefined;
      },
      defaultMessage: () =>
        'state must be a US state or Canadian province code for US and CA addresses (e.g. CA, NY, QC)',
    },
  })
  state?: string | null;

  @Matches(/^[A-Z]{2}$/, { message: 'country must be two upper-case letters (ISO 3166-1 alpha-2, e.g. US)' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 country code (e.g. US)' })
  country!: string;
}
