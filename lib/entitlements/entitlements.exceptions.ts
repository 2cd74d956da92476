import { HttpException, HttpStatus, InternalServerErrorException, ServiceUnavailableException } from '@nestjs/common';
import { ENTITLEMENT_MESSAGES, type PolarEntitlementRefusalCode } from './entitlements.messages.js';

/** The JSON body of a 402 answer. */
export interface PolarPaymentRequiredBody {
  statusCode: 402;
  error: 'Payment Required';
  code: PolarEntitlementRefusalCode;
  message: string;
  /** The plan the requirement names (its first), or null. */
  plan: string | null;
  /** The app's checkout route for that plan (`/<checkoutPath>/<plan>`), or null without a plan. */
  checkout_url: string | null;
  /** The app's portal route (`/billing/portal`), or null when the portal route is off. */
  portal_url: string | null;
}

/** Signed in, but not entitled: 402 with why and where to pay. */
export class PolarPaymentRequiredException extends HttpException {
  constructor(readonly body: PolarPaymentRequiredBody) {
    super(body, HttpStatus.PAYMENT_REQUIRED);
    this.name = 'PolarPaymentRequiredException';
  }
}

/** Not entitled, answered to a browser: 303 to the configured page (the guard sets `Location`). */
export class PolarEntitlementRedirectException extends HttpException {
  constructor(
    readonly location: string,
    code: PolarEntitlementRefusalCode,
  ) {
    super(
      { statusCode: HttpStatus.SEE_OTHER, code, message: ENTITLEMENT_MESSAGES.refused[code] },
      HttpStatus.SEE_OTHER,
    );
    this.name = 'PolarEntitlementRedirectException';
  }
}

/** The state could not be read and the policy does not allow a stale copy: 503, never "allow". */
export class PolarEntitlementsUnavailableException extends ServiceUnavailableException {
  constructor(cause?: unknown) {
    super(
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        code: 'polar_entitlements_unavailable',
        message: ENTITLEMENT_MESSAGES.unavailable,
      },
      { cause },
    );
    this.name = 'PolarEntitlementsUnavailableException';
  }
}

/** A requirement names a plan, benefit or meter the options do not configure: a 500 that says so. */
export class PolarEntitlementMisconfiguredException extends InternalServerErrorException {
  constructor(cause: unknown) {
    super(
      {
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
        error: 'Internal Server Error',
        code: 'polar_entitlements_misconfigured',
        message: ENTITLEMENT_MESSAGES.misconfigured,
      },
      { cause },
    );
    this.name = 'PolarEntitlementMisconfiguredException';
  }
}
