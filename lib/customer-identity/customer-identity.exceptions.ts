import {
  HttpStatus,
  InternalServerErrorException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { CUSTOMER_IDENTITY_MESSAGES } from './customer-identity.messages.js';

/** Nobody is signed in (the resolver returned null): 401, and nothing was sent to Polar. */
export class PolarPortalUnauthorizedException extends UnauthorizedException {
  constructor() {
    super({
      statusCode: HttpStatus.UNAUTHORIZED,
      error: 'Unauthorized',
      code: 'polar_portal_unauthenticated',
      message: CUSTOMER_IDENTITY_MESSAGES.unauthenticated,
    });
    this.name = 'PolarPortalUnauthorizedException';
  }
}

/**
 * The app's customer resolver or one of its route guards threw (not an HttpException) or returned
 * something unusable: a 500 that says so, with the original error as `cause` and in the server log.
 */
export class PolarPortalResolverException extends InternalServerErrorException {
  constructor(message: string = CUSTOMER_IDENTITY_MESSAGES.resolverFailed, options: { cause?: unknown } = {}) {
    super(
      {
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
        error: 'Internal Server Error',
        code: 'polar_portal_resolver_failed',
        message,
      },
      { cause: options.cause },
    );
    this.name = 'PolarPortalResolverException';
  }
}

/**
 * The app's customer resolver or one of its route guards did not settle within `customerTimeoutMs`:
 * a 503 (the app is briefly unable to tell who is asking; retrying may succeed), logged with the name.
 */
export class PolarPortalResolverTimeoutException extends ServiceUnavailableException {
  constructor(message: string) {
    super({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'Service Unavailable',
      code: 'polar_portal_resolver_timeout',
      message,
    });
    this.name = 'PolarPortalResolverTimeoutException';
  }
}
