import { HttpStatus, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { PolarException } from '../errors/polar.exceptions.js';
import { CHECKOUT_MESSAGES } from './checkout.messages.js';

/** Nobody is signed in and anonymous checkout is off: 401, and nothing was sent to Polar. */
export class PolarCheckoutUnauthorizedException extends UnauthorizedException {
  constructor() {
    super({
      statusCode: HttpStatus.UNAUTHORIZED,
      error: 'Unauthorized',
      code: 'polar_checkout_unauthenticated',
      message: CHECKOUT_MESSAGES.unauthenticated,
    });
    this.name = 'PolarCheckoutUnauthorizedException';
  }
}

/** The client named a plan the app does not sell: 404, and nothing was sent to Polar. */
export class PolarUnknownPlanException extends NotFoundException {
  constructor(name: string | undefined) {
    super({
      statusCode: HttpStatus.NOT_FOUND,
      error: 'Not Found',
      code: 'polar_checkout_unknown_plan',
      message: CHECKOUT_MESSAGES.unknownPlan(name),
    });
    this.name = 'PolarUnknownPlanException';
  }
}

/** The checkout of the success page does not exist or is not the signed-in customer's: 404. */
export class PolarCheckoutNotFoundException extends PolarException {
  constructor(options: { cause?: unknown } = {}) {
    super(HttpStatus.NOT_FOUND, 'polar_checkout_not_found', CHECKOUT_MESSAGES.checkoutNotFound, options);
  }
}

/** The checkout of the success page is the customer's but has not succeeded (open, expired, failed…): 409. */
export class PolarCheckoutNotSucceededException extends PolarException {
  /** Polar's status of the checkout (`open`, `expired`, `confirmed`, `failed`). */
  readonly checkoutStatus: string;

  constructor(checkoutStatus: string) {
    super(HttpStatus.CONFLICT, 'polar_checkout_not_succeeded', CHECKOUT_MESSAGES.notSucceeded(checkoutStatus));
    this.checkoutStatus = checkoutStatus;
  }
}
