import { HttpException } from '@nestjs/common';
import { PolarClientError, PolarNetworkError, PolarRateLimitError, PolarServerError } from '@polar-sh/sdk';
import { errors } from '@polar-sh/sdk/2026-10';
import { toPolarHttpException } from './polar-error.mapper.js';
import {
  PolarAuthenticationException,
  PolarConflictException,
  PolarDuplicateCustomerException,
  PolarNotFoundException,
  PolarRateLimitException,
  PolarTimeoutException,
  PolarUnknownCustomerException,
  PolarUpstreamException,
  PolarValidationException,
} from './polar.exceptions.js';

const TOKEN = 'polar_oat_secretsecretsecret';

describe('toPolarHttpException (the error table)', () => {
  const rows: [string, unknown, new (...args: never[]) => HttpException, number][] = [
    [
      '404 ResourceNotFound',
      new errors.ResourceNotFound(404, { error: 'ResourceNotFound', detail: 'Not found' }),
      PolarNotFoundException,
      404,
    ],
    [
      'D8: a route 404 without error ResourceNotFound is not a missing resource',
      Object.assign(new Error('API error occurred'), {
        name: 'PolarError',
        statusCode: 404,
        error: '{"detail":"Not Found"}',
      }),
      PolarUpstreamException,
      502,
    ],
    [
      '422 validation',
      new errors.HTTPValidationError(422, {
        detail: [{ type: 'string_too_long', loc: ['body', 'name'], msg: 'too long', input: 'x' }],
      }),
      PolarValidationException,
      422,
    ],
    [
      '422 duplicate email',
      new errors.HTTPValidationError(422, {
        detail: [
          {
            type: 'value_error',
            loc: ['body', 'email'],
            msg: 'A customer with this email address already exists.',
            input: 'a@b.co',
          },
        ],
      }),
      PolarDuplicateCustomerException,
      422,
    ],
    [
      '422 unknown customer',
      new errors.HTTPValidationError(422, {
        detail: [{ type: 'value_error', loc: ['body', 'customer_id'], msg: 'Customer does not exist.', input: 'x' }],
      }),
      PolarUnknownCustomerException,
      422,
    ],
    [
      '409',
      new errors.AmbiguousExternalCustomerID(409, { error: 'AmbiguousExternalCustomerID', detail: 'x' }),
      PolarConflictException,
      409,
    ],
    [
      '401',
      new PolarClientError(401, '{"error":"invalid_token","error_description":"…"}'),
      PolarAuthenticationException,
      502,
    ],
    ['403', new PolarClientError(403, '{"error":"insufficient_scope"}'), PolarAuthenticationException, 502],
    ['429', new PolarRateLimitError(429, 7), PolarRateLimitException, 503],
    ['5xx', new PolarServerError(503, 'upstream down'), PolarUpstreamException, 502],
    ['timeout', new PolarNetworkError('The operation was aborted due to timeout'), PolarTimeoutException, 504],
    [
      'body read timeout',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      PolarTimeoutException,
      504,
    ],
    ['network', new PolarNetworkError('fetch failed'), PolarUpstreamException, 502],
    ['malformed body', new SyntaxError('Unexpected token < in JSON'), PolarUpstreamException, 502],
    ['anything else', new Error('boom'), PolarUpstreamException, 502],
  ];

  it.each(rows)('%s → %p', (_name, error, type, status) => {
    const mapped = toPolarHttpException(error);
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.getStatus()).toBe(status);
    expect(mapped.cause).toBe(error);
  });

  it('keeps Polar field details (loc, msg, type) without echoing the input', () => {
    const mapped = toPolarHttpException(
      new errors.HTTPValidationError(422, {
        detail: [{ type: 'string_too_long', loc: ['body', 'name'], msg: 'too long', input: 'private value' }],
      }),
    ) as PolarValidationException;
    expect(mapped.getResponse()).toMatchObject({
      statusCode: 422,
      code: 'polar_validation_failed',
      details: [{ loc: ['body', 'name'], msg: 'too long', type: 'string_too_long' }],
    });
    expect(JSON.stringify(mapped.getResponse())).not.toContain('private value');
  });

  it('names both duplicate fields', () => {
    const mapped = toPolarHttpException(
      new errors.HTTPValidationError(422, {
        detail: [
          { type: 'value_error', loc: ['body', 'email'], msg: 'A customer with this email address already exists.' },
          {
            type: 'value_error',
            loc: ['body', 'external_id'],
            msg: 'A customer with this external ID already exists.',
          },
        ],
      }),
    ) as PolarDuplicateCustomerException;
    expect(mapped.fields.sort()).toEqual(['email', 'external_id']);
  });

  it('tells to check token, scopes and environment, and never repeats what Polar sent', () => {
    const mapped = toPolarHttpException(new PolarClientError(401, `{"error":"invalid_token","echo":"${TOKEN}"}`));
    expect(mapped.message).toMatch(/token/);
    expect(mapped.message).toMatch(/scopes/);
    expect(mapped.message).toMatch(/environment/);
    expect(mapped.message).toContain('invalid_token');
    expect(JSON.stringify(mapped.getResponse())).not.toContain(TOKEN);
  });

  it('carries retry-after seconds, with a default when Polar sent none', () => {
    expect((toPolarHttpException(new PolarRateLimitError(429, 12)) as PolarRateLimitException).retryAfter).toBe(12);
    expect((toPolarHttpException(new PolarRateLimitError(429, null)) as PolarRateLimitException).retryAfter).toBe(60);
  });

  it('passes an HttpException through unchanged', () => {
    const original = new PolarNotFoundException();
    expect(toPolarHttpException(original)).toBe(original);
  });
});
