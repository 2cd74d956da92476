/**
 * The peer: `@polar-sh/express`'s CustomerPortal on plain Express, as its README sets it up.
 * It only takes `server: 'production' | 'sandbox'` (no base URL), so before building it we point
 * the `sandbox` entry of its own SDK copy's server list at the bench upstream: the request path,
 * validation and redirect stay exactly the package's.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { announceReady, serveIpc } from '../support/ipc.js';
import { BENCH_ACCESS_TOKEN, BENCH_CUSTOMER_HEADER } from '../support/fixtures.js';

const require = createRequire(import.meta.url);
// The package exports no ./package.json: find its folder from its entry (dist/index.cjs).
const peerDir = dirname(dirname(require.resolve('@polar-sh/express')));
const peerRequire = createRequire(join(peerDir, 'package.json'));
const sdkDir = dirname(peerRequire.resolve('@polar-sh/sdk/package.json'));
/** The slice of Express 4 this file uses (the package has no bundled types). */
interface ExpressApp {
  get(path: string, handler: unknown): void;
  listen(port: number, host: string, cb: () => void): import('node:http').Server;
}
// Express 4, the peer's declared peer dependency, resolved next to the package (Nest uses Express 5).
const express = (await import(pathToFileURL(peerRequire.resolve('express')).href)).default as () => ExpressApp;
const sdkConfig = (await import(pathToFileURL(join(sdkDir, 'dist/esm/lib/config.js')).href)) as {
  ServerList: Record<string, string>;
};
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
