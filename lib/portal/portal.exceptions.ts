import { HttpStatus } from '@nestjs/common';
import { PolarException, type PolarErrorDetail } from '../errors/polar.exceptions.js';
import { PORTAL_MESSAGES } from './portal.messages.js';

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

export {
  PolarPortalResolverException,
  PolarPortalUnauthorizedException,
} from '../customer-identity/customer-identity.exceptions.js';

export { PolarInvalidReturnUrlException } from '../return-url/return-url.exceptions.js';
