/**
 * The peer: `@polar-sh/express`'s CustomerPortal on plain Express, as its README sets it up.
 * It only takes `server: 'production' | 'sandbox'` (no base URL), so before building it we point
 * the `sandbox` entry of its own SDK copy's server list at the bench upstream: the request path,
 * validation and redirect stay exactly the package's.
 */
import { announceReady, serveIpc } from '../support/ipc.js';
import { BENCH_ACCESS_TOKEN, BENCH_CUSTOMER_HEADER } from '../support/fixtures.js';
import { peerExpress, peerSdkModule } from '../support/peer-express.js';

const express = await peerExpress();
const sdkConfig = await peerSdkModule<{ ServerList: Record<string, string> }>('dist/esm/lib/config.js');
sdkConfig.ServerList.sandbox = process.env.BENCH_UPSTREAM_URL ?? '';
const { CustomerPortal } = await import('@polar-sh/express');

const app = express();
app.get(
  '/portal',
  CustomerPortal({
    accessToken: BENCH_ACCESS_TOKEN,
    getCustomerId: async (req: { headers: Record<string, unknown> }) =>
      String(req.headers[BENCH_CUSTOMER_HEADER] ?? ''),
    server: 'sandbox',
  }),
);

serveIpc({});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady(typeof address === 'object' && address ? address.port : 0);
});
