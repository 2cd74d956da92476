import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import { POLAR_MESSAGES } from '../polar.messages.js';

/** One field problem as Polar reports it (`input` is dropped: it may echo large or private values). */
export interface PolarErrorDetail {
  /** Where the problem is, e.g. `["body", "email"]`. */
  loc: (string | number)[];
  /** Polar's message. */
  msg: string;
  /** Polar's error type, e.g. `value_error`. */
  type: string;
}

/** The JSON body every Polar exception renders. */
export interface PolarExceptionBody {
  statusCode: number;
  error: string;
  /** Stable machine-readable code, e.g. `polar_not_found`. */
  code: string;
  message: string;
  details?: PolarErrorDetail[];
  retryAfter?: number;
}

/** Base of every exception the module throws for a Polar failure; `cause` holds the SDK error. */
export class PolarException extends HttpException {
  /** Stable machine-readable code, also in the response body. */
  readonly code: string;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; details?: PolarErrorDetail[]; retryAfter?: number } = {},
  ) {
    const body: PolarExceptionBody = { statusCode: status, error: reasonPhrase(status), code, message };
    if (options.details) body.details = options.details;
    if (options.retryAfter !== undefined) body.retryAfter = options.retryAfter;
    super(body, status, { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Polar answered 404: the resource does not exist (or belongs to another organization). */
export class PolarNotFoundException extends PolarException {
  constructor(message: string = POLAR_MESSAGES.notFound, options: { cause?: unknown } = {}) {
    super(HttpStatus.NOT_FOUND, 'polar_not_found', message, options);
  }
}

/** Polar answered 422; `details` carries Polar's field-level problems. */
export class PolarValidationException extends PolarException {
  /** Polar's field details (`loc`, `msg`, `type`). */
  readonly details: PolarErrorDetail[];

  constructor(
    details: PolarErrorDetail[],
    message: string = POLAR_MESSAGES.validation,
    options: { cause?: unknown; code?: string } = {},
  ) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, options.code ?? 'polar_validation_failed', message, {
      cause: options.cause,
      details,
    });
    this.details = details;
  }
}

/** Polar answered 422 because a customer with this email and/or external ID already exists. */
export class PolarDuplicateCustomerException extends PolarValidationException {
  /** Which unique fields collided. */
  readonly fields: ('email' | 'external_id')[];

  constructor(
    fields: ('email' | 'external_id')[],
    details: PolarErrorDetail[],
    message: string = POLAR_MESSAGES.duplicateCustomer,
    options: { cause?: unknown } = {},
  ) {
    super(details, message, { cause: options.cause, code: 'polar_duplicate_customer' });
    this.fields = fields;
  }
}

/** Polar answered 422 "Customer does not exist." (customer sessions take ids in the body). */
export class PolarUnknownCustomerException extends PolarValidationException {
  constructor(details: PolarErrorDetail[], options: { cause?: unknown } = {}) {
    super(details, POLAR_MESSAGES.unknownCustomer, { cause: options.cause, code: 'polar_unknown_customer' });
  }
}

/** Polar answered 409 (e.g. an external customer ID that is ambiguous across organizations). */
export class PolarConflictException extends PolarException {
  constructor(message: string = POLAR_MESSAGES.conflict, options: { cause?: unknown } = {}) {
    super(HttpStatus.CONFLICT, 'polar_conflict', message, options);
  }
}

/**
 * The customer already has a subscription Polar would not let them add to (Polar's 403
 * `AlreadyActiveSubscriptionError`, or the checkout route's own check before asking): 409.
 */
export class PolarAlreadySubscribedException extends PolarException {
  constructor(message: string = POLAR_MESSAGES.alreadySubscribed, options: { cause?: unknown } = {}) {
    super(HttpStatus.CONFLICT, 'polar_already_subscribed', message, options);
  }
}

/** Polar refused our server's token (401/403): a server misconfiguration, so 502 to the client. */
export class PolarAuthenticationException extends PolarException {
  /** The status Polar answered (401 or 403). */
  readonly upstreamStatus: number;

  constructor(
    upstreamStatus: number,
    polarErrorCode: string | undefined,
    options: { cause?: unknown; environment?: string } = {},
  ) {
    super(
      HttpStatus.BAD_GATEWAY,
      'polar_authentication_failed',
      POLAR_MESSAGES.authentication(upstreamStatus, polarErrorCode, options.environment),
      { cause: options.cause },
    );
    this.upstreamStatus = upstreamStatus;
  }
}

/** Polar rate-limited us (429): 503 with `Retry-After` (set by `PolarExceptionFilter`). */
export class PolarRateLimitException extends PolarException {
  /** Seconds to wait before retrying, as Polar said (or a conservative default). */
  readonly retryAfter: number;

  constructor(retryAfter: number, options: { cause?: unknown } = {}) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'polar_rate_limited', POLAR_MESSAGES.rateLimited, {
      cause: options.cause,
      retryAfter,
    });
    this.retryAfter = retryAfter;
  }
}

/** Polar failed (5xx), could not be reached, or answered a malformed body: 502. */
export class PolarUpstreamException extends PolarException {
  constructor(message: string = POLAR_MESSAGES.upstreamServer, options: { cause?: unknown } = {}) {
    super(HttpStatus.BAD_GATEWAY, 'polar_upstream_error', message, options);
  }
}

/** Polar did not answer within `timeoutMs`: 504. */
export class PolarTimeoutException extends PolarException {
  constructor(options: { cause?: unknown } = {}) {
    super(HttpStatus.GATEWAY_TIMEOUT, 'polar_timeout', POLAR_MESSAGES.timeout, options);
  }
}

/** One rejected input field: which field, which rule, and the wording. */
export interface PolarInputProblem {
  /** Dotted path of the field, e.g. `billing_address.country`. */
  field: string;
  /** The rule it broke, e.g. `isEmail`, `maxLength`. */
  rule: string;
  message: string;
}

/** Input rejected before any request was sent to Polar: 400, naming each field and rule. */
export class PolarInputException extends BadRequestException {
  /** Every problem found. */
  readonly problems: PolarInputProblem[];

  constructor(message: string, problems: PolarInputProblem[]) {
    super({ statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request', code: 'polar_invalid_input', message, problems });
    this.problems = problems;
    this.name = 'PolarInputException';
  }
}

function reasonPhrase(status: number): string {
  switch (status) {
    case 404:
      return 'Not Found';
    case 409:
      return 'Conflict';
    case 422:
      return 'Unprocessable Entity';
    case 502:
      return 'Bad Gateway';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return 'Error';
  }
}
