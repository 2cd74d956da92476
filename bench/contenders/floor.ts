/**
 * The floor: a bare node:http handler that calls the SDK and redirects. No framework, no guard,
 * no validation — the limit any framework-based contender can approach on this machine.
 */
import { createServer } from 'node:http';
import { createPolar } from '@polar-sh/sdk/2026-10';
import { announceReady, serveIpc } from '../support/ipc.js';
import { BENCH_ACCESS_TOKEN, BENCH_CUSTOMER_HEADER } from '../support/fixtures.js';

const polar = createPolar({ accessToken: BENCH_ACCESS_TOKEN, baseUrl: process.env.BENCH_UPSTREAM_URL });

const server = createServer((req, res) => {
  const customerId = req.headers[BENCH_CUSTOMER_HEADER];
  if (typeof customerId !== 'string') {
    res.writeHead(401).end();
    return;
  }
  polar.customerSessions.create({ customer_id: customerId }).then(
    (session) => {
      res.writeHead(303, { location: session.customer_portal_url, 'cache-control': 'no-store' }).end();
    },
    () => {
      res.writeHead(502).end();
    },
  );
});

serveIpc({});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady(typeof address === 'object' && address ? address.port : 0);
});
