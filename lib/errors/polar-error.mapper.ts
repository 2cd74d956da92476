import { HttpException } from '@nestjs/common';
import { POLAR_MESSAGES } from '../polar.messages.js';
import {
  PolarAlreadySubscribedException,
  PolarAuthenticationException,
  PolarConflictException,
  PolarDuplicateCustomerException,
  type PolarErrorDetail,
  PolarNotFoundException,
  PolarRateLimitException,
  PolarTimeoutException,
  PolarUnknownCustomerException,
  PolarUpstreamException,
  PolarValidationException,
} from './polar.exceptions.js';

/**
 * What a failed SDK call looked like. The SDK's classes are recognised by shape and `name`, not
 * `instanceof`: the SDK ships separate ESM and CommonJS copies (and one error module per API
 * version), so one app can hold several distinct `PolarClientError` classes.
 */
export type PolarFailure =
  | { kind: 'already-mapped'; exception: HttpException }
  | { kind: 'status'; status: number; body: unknown; retryAfter: number | null }
  | { kind: 'server'; status: number | undefined }
  | { kind: 'timeout' }
  | { kind: 'network' }
  | { kind: 'malformed' }
  | { kind: 'unknown' };

/** Seconds we tell clients to wait when Polar's 429 had no usable `retry-after`. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

/** Classifies anything an SDK call threw. */
export function classifyPolarError(error: unknown): PolarFailure {
  if (error instanceof HttpException) return { kind: 'already-mapped', exception: error };
  // Shape, not `instanceof Error`: a DOMException may come from another realm.
  if (typeof error !== 'object' || error === null || typeof (error as Error).name !== 'string')
    return { kind: 'unknown' };
  const shaped = error as Error & { statusCode?: unknown; error?: unknown; retryAfter?: unknown };
  const message = typeof shaped.message === 'string' ? shaped.message : '';
  if (shaped.name === 'PolarServerError') {
    const status = /server error: (\d{3})/.exec(message)?.[1];
    return { kind: 'server', status: status ? Number(status) : undefined };
  }
  if (typeof shaped.statusCode === 'number' && 'error' in shaped) {
    const retryAfter =
      typeof shaped.retryAfter === 'number' && Number.isFinite(shaped.retryAfter) ? shaped.retryAfter : null;
    return { kind: 'status', status: shaped.statusCode, body: shaped.error, retryAfter };
  }
  // A body read cut by the timeout signal surfaces as the bare DOMException, not a PolarNetworkError.
  if (shaped.name === 'TimeoutError' || /aborted due to timeout/i.test(message)) return { kind: 'timeout' };
  if (shaped.name === 'PolarNetworkError') return { kind: 'network' };
  if (shaped.name === 'SyntaxError') return { kind: 'malformed' };
  return { kind: 'unknown' };
}

/** Rows of the table: the first row whose `when` matches builds the exception. */
interface Row {
  /** What Polar / the SDK did, as documented in the README error table. */
  polar: string;
  when: (failure: PolarFailure) => boolean;
  build: (failure: PolarFailure, cause: unknown, context: PolarErrorContext) => HttpException;
}

/** What the module knows about its own set-up, to make messages actionable (nothing secret). */
export interface PolarErrorContext {
  /** Configured environment and API URL, e.g. `production (https://api.polar.sh)`. */
  environment?: string;
}

const statusOf = (failure: PolarFailure): number | undefined =>
  failure.kind === 'status' ? failure.status : undefined;

/**
 * THE error table. Every SDK failure becomes one of these `HttpException` subclasses; the SDK
 * error is kept as `cause`, and no message repeats what Polar or the SDK said verbatim (bodies of
 * 401/403/5xx answers are not ours to echo), so no secret can leak through them.
 */
export const POLAR_ERROR_TABLE: readonly Row[] = [
  {
    polar: 'already an HttpException (e.g. a reconcile result)',
    when: (f) => f.kind === 'already-mapped',
    build: (f) => (f as { exception: HttpException }).exception,
  },
  {
    polar: '429 rate limited',
    when: (f) => statusOf(f) === 429,
    build: (f, cause) => {
      const given = (f as { retryAfter: number | null }).retryAfter;
      return new PolarRateLimitException(
        given !== null && given >= 0 ? Math.ceil(given) : DEFAULT_RETRY_AFTER_SECONDS,
        {
          cause,
        },
      );
    },
  },
  {
    // Only Polar's resource 404 names a missing resource; a route or version 404 (`{"detail":"Not Found"}`)
    // means the request went somewhere Polar does not serve, which falls through to "any other 4xx".
    polar: '404 ResourceNotFound',
    when: (f) => statusOf(f) === 404 && readErrorCode((f as { body: unknown }).body) === 'ResourceNotFound',
    build: (_f, cause) => new PolarNotFoundException(POLAR_MESSAGES.notFound, { cause }),
  },
  {
    polar: '422 validation / duplicate / "Customer does not exist."',
    when: (f) => statusOf(f) === 422,
    build: (f, cause) => validationException(readDetails((f as { body: unknown }).body), cause),
  },
  {
    polar: '409 conflict (AmbiguousExternalCustomerID)',
    when: (f) => statusOf(f) === 409,
    build: (f, cause) =>
      new PolarConflictException(
        readErrorCode((f as { body: unknown }).body) === 'AmbiguousExternalCustomerID'
          ? POLAR_MESSAGES.ambiguousExternalCustomer
          : POLAR_MESSAGES.conflict,
        { cause },
      ),
  },
  {
    // The checkout service's refusal to sell a second subscription (organization setting), not a token problem.
    polar: '403 AlreadyActiveSubscriptionError',
    when: (f) =>
      statusOf(f) === 403 && readErrorCode((f as { body: unknown }).body) === 'AlreadyActiveSubscriptionError',
    build: (_f, cause) => new PolarAlreadySubscribedException(POLAR_MESSAGES.alreadySubscribed, { cause }),
  },
  {
    polar: '401 / 403 (our token is wrong or lacks a scope)',
    when: (f) => statusOf(f) === 401 || statusOf(f) === 403,
    build: (f, cause, context) =>
      new PolarAuthenticationException(statusOf(f)!, readErrorCode((f as { body: unknown }).body), {
        cause,
        environment: context.environment,
      }),
  },
  {
    polar: 'any other 4xx',
    when: (f) => f.kind === 'status',
    build: (f, cause) => new PolarUpstreamException(POLAR_MESSAGES.upstreamStatus(statusOf(f)!), { cause }),
  },
  {
    polar: '5xx',
    when: (f) => f.kind === 'server',
    build: (f, cause) => {
      const status = (f as { status: number | undefined }).status;
      return new PolarUpstreamException(
        status ? POLAR_MESSAGES.upstreamStatus(status) : POLAR_MESSAGES.upstreamServer,
        {
          cause,
        },
      );
    },
  },
  {
    polar: 'timeout (no answer within timeoutMs)',
    when: (f) => f.kind === 'timeout',
    build: (_f, cause) => new PolarTimeoutException({ cause }),
  },
  {
    polar: 'network failure (refused, reset, DNS)',
    when: (f) => f.kind === 'network',
    build: (_f, cause) => new PolarUpstreamException(POLAR_MESSAGES.network, { cause }),
  },
  {
    polar: 'malformed body (not JSON)',
    when: (f) => f.kind === 'malformed',
    build: (_f, cause) => new PolarUpstreamException(POLAR_MESSAGES.malformedBody, { cause }),
  },
  {
    polar: 'anything else',
    when: () => true,
    build: (_f, cause) => new PolarUpstreamException(POLAR_MESSAGES.unexpected, { cause }),
  },
];

/** Maps anything an SDK call threw to the module's `HttpException` subclass (see the table). */
export function toPolarHttpException(error: unknown, context: PolarErrorContext = {}): HttpException {
  const failure = classifyPolarError(error);
  const row = POLAR_ERROR_TABLE.find((candidate) => candidate.when(failure))!;
  return row.build(failure, error, context);
}

function validationException(details: PolarErrorDetail[], cause: unknown): HttpException {
  const duplicates = new Set<'email' | 'external_id'>();
  for (const detail of details) {
    const field = detail.loc[detail.loc.length - 1];
    if ((field === 'email' || field === 'external_id') && /already exists/i.test(detail.msg)) duplicates.add(field);
  }
  if (duplicates.size > 0) {
    return new PolarDuplicateCustomerException([...duplicates], details, POLAR_MESSAGES.duplicateCustomer, { cause });
  }
  if (details.some((detail) => /customer does not exist/i.test(detail.msg))) {
    return new PolarUnknownCustomerException(details, { cause });
  }
  return new PolarValidationException(details, POLAR_MESSAGES.validation, { cause });
}

/** Polar's `detail` list, trimmed to `loc`, `msg`, `type`. */
function readDetails(body: unknown): PolarErrorDetail[] {
  const detail = parseMaybeJson(body)?.detail;
  if (!Array.isArray(detail)) return typeof detail === 'string' ? [{ loc: [], msg: detail, type: 'error' }] : [];
  return detail
    .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    .map((item) => ({
      loc: Array.isArray(item.loc)
        ? item.loc.filter((part) => typeof part === 'string' || typeof part === 'number')
        : [],
      msg: typeof item.msg === 'string' ? item.msg : '',
      type: typeof item.type === 'string' ? item.type : 'error',
    }));
}

/** Polar's short error code (`invalid_token`, `insufficient_scope`, …), if it sent one. */
function readErrorCode(body: unknown): string | undefined {
  const code = parseMaybeJson(body)?.error;
  return typeof code === 'string' && /^[A-Za-z_]{1,64}$/.test(code) ? code : undefined;
}

/** The SDK keeps mapped errors parsed but unmapped 4xx bodies (401, 403) as raw text. */
function parseMaybeJson(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === 'object' && body !== null) return body as Record<string, unknown>;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
