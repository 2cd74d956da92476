import { IsEmail, IsOptional, IsString } from 'class-validator';
import { IsPolarCustomerName } from './customer-field.decorator.js';

/** The owner member created with a team customer. */
export class PolarCustomerOwnerDto {
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @IsPolarCustomerName() name?: string | null;

  @IsOptional() @IsString() external_id?: string | null;
}
