import { createServer } from 'node:http';
import { announceReady, serveIpc } from './ipc.js';
import { BENCH_CUSTOMER_HEADER } from './fixtures.js';

/**
 * The portal floors' server: a bare node:http handler that asks `createSession` for the customer
 * named by the bench header and redirects to its portal URL. No framework, no guard, no validation.
 */
export function serveFloor(createSession: (customerId: string) => Promise<{ customer_portal_url: string }>): void {
  const server = createServer((req, res) => {
    const customerId = req.headers[BENCH_CUSTOMER_HEADER];
    if (typeof customerId !== 'string') {
      res.writeHead(401).end();
      return;
    }
    createSession(customerId).then(
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
}
