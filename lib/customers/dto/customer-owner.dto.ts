import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';

/** The owner member created with a team customer. */
export class PolarCustomerOwnerDto {
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @IsOptional() @IsString() @MaxLength(256) name?: string | null;

  @IsOptional() @IsString() external_id?: string | null;
}
