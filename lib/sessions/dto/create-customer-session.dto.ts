import { IsOptional, IsString, IsUUID, MinLength, registerDecorator, type ValidationArguments } from 'class-validator';
import { UUID4 } from '../../errors/polar-input.validation.js';

/** Longest `return_url` Polar accepts. */
export const RETURN_URL_MAX_LENGTH = 2083;

/** Why a (customer_id, external_customer_id) pair is wrong, or `undefined`. */
function customerIdProblem(dto: CreateCustomerSessionDto): string | undefined {
  const hasId = dto.customer_id != null;
  const hasExternal = dto.external_customer_id != null;
  if (hasId === hasExternal) return 'exactly one of customer_id or external_customer_id is required';
  if (hasId && (typeof dto.customer_id !== 'string' || !UUID4.test(dto.customer_id))) {
    return 'customer_id must be a version-4 UUID';
  }
  return undefined;
}

/** Exactly one customer id, and `customer_id` (when given) a version-4 UUID. */
function ExactlyOneCustomerId(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'exactlyOneCustomerId',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) =>
          customerIdProblem(args.object as CreateCustomerSessionDto) === undefined,
        defaultMessage: (args: ValidationArguments) => customerIdProblem(args.object as CreateCustomerSessionDto) ?? '',
      },
    });
}

/** Why a return URL is refused, or `undefined`. */
export function returnUrlProblem(value: unknown, field = 'return_url'): string | undefined {
  if (typeof value !== 'string' || value.length < 1 || value.length > RETURN_URL_MAX_LENGTH) {
    return `${field} must be a string of 1 to ${RETURN_URL_MAX_LENGTH} characters`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${field} must be an absolute http(s) URL`;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return `${field} must be an absolute http(s) URL`;
  }
  return undefined;
}

/** An absolute http(s) URL of at most 2083 characters. */
export function IsReturnUrl(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isReturnUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => returnUrlProblem(value, args.property) === undefined,
        defaultMessage: (args: ValidationArguments) => returnUrlProblem(args.value, args.property) ?? '',
      },
    });
}

/** Input of `SessionsService.create()`: exactly one of `customer_id` / `external_customer_id`. */
export class CreateCustomerSessionDto {
  /** Polar customer id (version-4 UUID). */
  @ExactlyOneCustomerId() customer_id?: string;

  /** Your user id (the customer's external id). */
  @IsOptional() @IsString() @MinLength(1) external_customer_id?: string;

  /** Team customers on member-model organizations: the member to open the portal for. */
  @IsOptional() @IsUUID('4', { message: 'member_id must be a version-4 UUID' }) member_id?: string | null;

  /** Alternative to `member_id`: the member's external id. */
  @IsOptional() @IsString() @MinLength(1) external_member_id?: string | null;

  /** Where the portal's back button leads: absolute http(s), at most 2083 characters. */
  @IsOptional() @IsReturnUrl() return_url?: string | null;
}
