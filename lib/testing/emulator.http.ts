import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedRequest } from './emulator.types.js';

/** The API version the emulator serves. */
export const EMULATED_API_VERSION = '2026-10';

/** One item of a 422 body, as FastAPI/pydantic and Polar write it. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** Which 422 flavour: schema errors (pydantic) or Polar's own checks. */
export type ValidationErrorKind = 'RequestValidationError' | 'PolarRequestValidationError';

/** Thrown by validators and handlers; turned into a 422 answer. */
export class ValidationFailure extends Error {
  constructor(
    readonly issues: ValidationIssue[],
    readonly kind: ValidationErrorKind = 'RequestValidationError',
  ) {
    super('validation failed');
  }

  /** One of Polar's own checks failed (a `PolarRequestValidationError` with a single item). */
  static polar(field: string, msg: string, input: unknown, type = 'value_error'): ValidationFailure {
    return new ValidationFailure([{ type, loc: ['body', field], msg, input }], 'PolarRequestValidationError');
  }
}

/** Thrown by handlers for unknown resources; turned into a 404 ResourceNotFound answer. */
export class NotFoundFailure extends Error {
  constructor() {
    super('not found');
  }
}

/** Per-request state shared by the pipeline and handlers. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body; `undefined` when empty. */
  body: unknown;
  /** Echoed back in `Polar-Version`. */
  version: string;
  /** Set by the malformedJson fault: JSON bodies are cut short. */
  malformed: boolean;
  record: RecordedRequest;
  /** Path parameters captured by the router. */
  params: Record<string, string>;
}

function baseHeaders(ctx: RequestContext): Record<string, string> {
  return { 'polar-version': ctx.version, 'cache-control': 'private, no-store' };
}

/** Answers with a JSON body (or no body for 204 / `undefined`). */
export function sendJson(
  ctx: RequestContext,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  ctx.record.status = status;
  const all = { ...baseHeaders(ctx), ...headers };
  if (body === undefined || status === 204) {
    ctx.res.writeHead(status, { ...all, 'content-length': '0' });
    ctx.res.end();
    return;
  }
  let text = JSON.stringify(body);
  // A truncated document is what a proxy cutting the stream short produces.
  if (ctx.malformed) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  ctx.res.writeHead(status, {
    ...all,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  ctx.res.end(text);
}

/** Answers with a non-JSON body (HTML pages, plain-text gateway errors). */
export function sendText(
  ctx: RequestContext,
  status: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  ctx.record.status = status;
  ctx.res.writeHead(status, {
    ...baseHeaders(ctx),
    ...headers,
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
  });
  ctx.res.end(text);
}

/** 422 with Polar's body. */
export function sendValidation(ctx: RequestContext, failure: ValidationFailure): void {
  sendJson(ctx, 422, { error: failure.kind, detail: failure.issues });
}

/** 404 ResourceNotFound. */
export function sendNotFound(ctx: RequestContext): void {
  sendJson(ctx, 404, { error: 'ResourceNotFound', detail: 'Not found' });
}

/** 404 for unknown routes and unsupported API versions. */
export function sendRouteNotFound(ctx: RequestContext): void {
  sendJson(ctx, 404, { detail: 'Not Found' });
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Query parameters as a plain record; repeated names give arrays. */
export function queryToRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of query) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}
