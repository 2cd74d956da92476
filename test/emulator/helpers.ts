import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createPolar, errors } from '@polar-sh/sdk/2026-10';
import { PolarEmulator, type PolarEmulatorOptions } from '../../lib/testing/index.js';

/** A started emulator and an SDK client pointed at it. */
export interface EmulatorFixture {
  polar: PolarEmulator;
  sdk: ReturnType<typeof createPolar>;
}

/** Starts an emulator plus an SDK client for it. */
export async function startEmulator(options: PolarEmulatorOptions = {}): Promise<EmulatorFixture> {
  const polar = await PolarEmulator.start(options);
  const sdk = createPolar({ accessToken: polar.accessToken, baseUrl: polar.url });
  return { polar, sdk };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown> & Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Status and Polar's `{ error, detail }` body of a failed SDK call other than a 422. */
export async function failureOf(
  call: Promise<unknown>,
): Promise<{ status: number; body: { error: string; detail: string } }> {
  const error = (await rejectionOf(call)) as unknown as { statusCode: number; error: unknown };
  // Declared errors arrive parsed; a status the spec does not declare (400, 401) arrives as the raw body text.
  const body = typeof error.error === 'string' ? JSON.parse(error.error) : error.error;
  return { status: error.statusCode, body: body as { error: string; detail: string } };
}

/** One entry of a 422 body's `detail` (Polar's validation error shape). */
export interface Detail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

/** The 422 body a call rejects with; fails the test unless it is an SDK HTTPValidationError with status 422. */
export async function detailOf(promise: Promise<unknown>): Promise<{ error: string; detail: Detail[] }> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(errors.HTTPValidationError);
  expect(error.statusCode).toBe(422);
  return error.error as { error: string; detail: Detail[] };
}

/** A raw request with the emulator's token (unless `headers` override it). */
export function api(polar: PolarEmulator, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${polar.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${polar.accessToken}`,
      'polar-version': '2026-10',
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

/** A clock tests can move forward. */
export function manualClock(start = '2026-10-01T12:00:00.000Z'): { clock: () => Date; advance(ms: number): void } {
  let now = new Date(start).getTime();
  return {
    clock: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Sends `head` (CRLF line ends added) and `body` as they are, bypassing fetch's own URL checks; resolves the whole answer. */
export function rawRequest(polar: PolarEmulator, head: string[], body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(polar.url).port), '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(answer));
    socket.end(`${[...head, 'connection: close'].join('\r\n')}\r\n\r\n${body}`);
  });
}

/** One delivery an endpoint received. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint that records raw deliveries and answers the statuses it is told to (a 3xx redirects to itself). */
export async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  statuses: number[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses.shift() ?? 202;
      res.writeHead(status, status >= 300 && status < 400 ? { location: req.url ?? '/' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/polar/webhooks`,
    received,
    statuses,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
