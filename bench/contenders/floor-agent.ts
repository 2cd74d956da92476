/**
 * A measurement, not an option of this module: the floor (bare node:http handler → SDK →
 * redirect) with the SDK's transport swapped for a node:http keep-alive Agent. SDK 1.x has no
 * HTTP-client hook (its `sendRequest` calls the global `fetch`), so the swap replaces
 * `sendRequest` on a `createPolarCore` instance and builds the customer-sessions service on it:
 * request building, response parsing and error classes stay the SDK's. The difference to the
 * floor is what a cheaper transport could save per Polar call.
 */
import { Agent, request } from 'node:http';
import { PolarNetworkError } from '@polar-sh/sdk';
import { createPolarCore } from '@polar-sh/sdk/2026-10';
import { createCustomerSessionsService } from '@polar-sh/sdk/2026-10/services/customer_sessions';
import { BENCH_ACCESS_TOKEN } from '../support/fixtures.js';
import { serveFloor } from '../support/floor-server.js';

const TIMEOUT_MS = 10_000;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const core = createPolarCore({ accessToken: BENCH_ACCESS_TOKEN, baseUrl: process.env.BENCH_UPSTREAM_URL });

/** `fetch`'s contract as the SDK uses it — status, headers, body — over a keep-alive node:http Agent. */
core.sendRequest = ([url, init]) =>
  new Promise<Response>((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method,
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        agent,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502, headers }));
        });
        res.on('error', (error) => reject(new PolarNetworkError(error.message)));
      },
    );
    req.on('error', (error) => reject(new PolarNetworkError(error.message)));
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
const sessions = createCustomerSessionsService(core);

serveFloor((customerId) => sessions.create({ customer_id: customerId }));
