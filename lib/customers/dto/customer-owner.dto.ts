import { IsOptional, IsString } from 'class-validator';
import { IsPolarCustomerName, IsPolarEmail } from './customer-field.decorator.js';

/** The owner member created with a team customer. */
export class PolarCustomerOwnerDto {
  @IsPolarEmail('email must be a valid email address')
  email!: string;

  @IsPolarCustomerName() name?: string | null;

  @IsOptional() @IsString() external_id?: string | null;
}
