import { BadRequestException, HttpStatus, InternalServerErrorException, UnauthorizedException } from '@nestjs/common';
import { PolarException, type PolarErrorDetail } from '../errors/polar.exceptions.js';
import type { ReturnUrlRejectionRule } from './return-url.policy.js';
import { PORTAL_MESSAGES } from './portal.messages.js';

/** A `return_url` query parameter the return-URL policy refused: 400 naming the field and rule. */
export class PolarInvalidReturnUrlException extends BadRequestException {
  /** Which rule refused it (also `rule` in the body). */
  readonly rule: ReturnUrlRejectionRule;

  constructor(rule: ReturnUrlRejectionRule, reason: string) {
    super({
      statusCode: HttpStatus.BAD_REQUEST,
      error: 'Bad Request',
      code: 'polar_invalid_return_url',
      message: PORTAL_MESSAGES.invalidReturnUrl(reason),
      field: 'return_url',
      rule,
    });
    this.rule = rule;
    this.name = 'PolarInvalidReturnUrlException';
  }
}

/** Nobody is signed in (the resolver returned null): 401, and nothing was sent to Polar. */
export class PolarPortalUnauthorizedException extends UnauthorizedException {
  constructor() {
    super({
      statusCode: HttpStatus.UNAUTHORIZED,
      error: 'Unauthorized',
      code: 'polar_portal_unauthenticated',
      message: PORTAL_MESSAGES.unauthenticated,
    });
    this.name = 'PolarPortalUnauthorizedException';
  }
}

/** Polar does not know the resolved customer (it answered 422 "Customer does not exist."): 404. */
export class PolarPortalCustomerNotFoundException extends PolarException {
  constructor(message: string, options: { cause?: unknown; details?: PolarErrorDetail[] } = {}) {
    super(HttpStatus.NOT_FOUND, 'polar_portal_unknown_customer', message, options);
  }
}

/** A team customer was resolved without a member (Polar: "member_id is required for team customers."): 422. */
export class PolarPortalMemberRequiredException extends PolarException {
  constructor(options: { cause?: unknown; details?: PolarErrorDetail[] } = {}) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'polar_portal_member_required', PORTAL_MESSAGES.memberRequired, options);
  }
}

/** The resolved member does not belong to the customer (Polar: "Member does not exist…"): 404. */
export class PolarPortalMemberNotFoundException extends PolarException {
  constructor(options: { cause?: unknown; details?: PolarErrorDetail[] } = {}) {
    super(HttpStatus.NOT_FOUND, 'polar_portal_unknown_member', PORTAL_MESSAGES.unknownMember, options);
  }
}

/**
 * The app's customer resolver or one of its portal guards threw (not an HttpException) or returned
 * something unusable: a 500 that says so, with the original error as `cause` and in the server log.
 */
export class PolarPortalResolverException extends InternalServerErrorException {
  constructor(message: string = PORTAL_MESSAGES.resolverFailed, options: { cause?: unknown } = {}) {
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
