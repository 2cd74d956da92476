/**
 * The floor: a bare node:http handler that calls the SDK and redirects. No framework, no guard,
 * no validation — the limit any framework-based contender can approach on this machine.
 */
import { createPolar } from '@polar-sh/sdk/2026-10';
import { BENCH_ACCESS_TOKEN } from '../support/fixtures.js';
import { serveFloor } from '../support/floor-server.js';

const polar = createPolar({ accessToken: BENCH_ACCESS_TOKEN, baseUrl: process.env.BENCH_UPSTREAM_URL });

serveFloor((customerId) => polar.customerSessions.create({ customer_id: customerId }));
