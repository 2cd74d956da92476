import { BadRequestException, HttpStatus } from '@nestjs/common';
import type { ReturnUrlRejectionRule } from './return-url.policy.js';

/** Wording of the return-URL policy's refusal, in one place. */
export const RETURN_URL_MESSAGES = {
  invalidReturnUrl: (field: string, reason: string): string =>
    field === 'embed_origin'
      ? `${field} was rejected: ${reason}. Give the origin of the page embedding the checkout (e.g. https://app.example.com), the app's own or one on allowedReturnOrigins.`
      : `${field} was rejected: ${reason}. Give a path of this app starting with '/' (e.g. /account) or an absolute URL on an allowed origin.`,
} as const;

/** A URL parameter the return-URL policy refused: 400 naming the field and rule. */
export class PolarInvalidReturnUrlException extends BadRequestException {
  /** Which rule refused it (also `rule` in the body). */
  readonly rule: ReturnUrlRejectionRule;

  constructor(rule: ReturnUrlRejectionRule, reason: string, field = 'return_url') {
    super({
      statusCode: HttpStatus.BAD_REQUEST,
      error: 'Bad Request',
      code: 'polar_invalid_return_url',
      message: RETURN_URL_MESSAGES.invalidReturnUrl(field, reason),
      field,
      rule,
    });
    this.rule = rule;
    this.name = 'PolarInvalidReturnUrlException';
  }
}
