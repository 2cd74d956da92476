import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { IsPolarCustomerName, IsPolarEmail } from './customer-field.decorator.js';
import { IsPolarMetadata } from './polar-metadata.validator.js';

/** Input of `CustomersService.ensure()`: the app user's id and contact, used only when creating. */
export class EnsureCustomerDto {
  /** Your user id. Leading/trailing spaces are refused: Polar would trim them and lookups would miss. */
  @IsString()
  @MinLength(1)
  @Matches(/^\S(?:[\s\S]*\S)?$/, { message: 'external_id must not start or end with whitespace' })
  @Matches(/^(?!\.{1,2}$)[^/]*$/, {
    message: 'external_id must not contain "/" or be "." or "..": Polar cannot look such an external id up by path',
  })
  external_id!: string;

  @IsPolarEmail('email must be a valid email address')
  email!: string;

  @IsPolarCustomerName() name?: string | null;

  @IsOptional() @IsPolarMetadata() metadata?: Record<string, string | number | boolean>;
}
