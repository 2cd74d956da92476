/**
 * The peer's webhook handler: `@polar-sh/express`'s `Webhooks` on plain Express 4 behind
 * `express.json()`, as its README sets it up. It verifies `JSON.stringify(req.body)` with its SDK
 * copy's `validateEvent` (the legacy key scheme: the secret's own bytes) and has no dedupe: a
 * retried delivery runs the handler again, which the bench reports.
 */
import { announceReady, serveIpc } from '../support/ipc.js';
import { peerExpress } from '../support/peer-express.js';
import { DeliveryLedger } from '../support/webhook-ledger.js';
import { TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';

const express = await peerExpress();
const { Webhooks } = await import('@polar-sh/express');

const ledger = new DeliveryLedger();
// `onPayload` gets no webhook-id; the package calls it synchronously from the handler (its
// validation is synchronous), so the id of the request being handled is this variable's value.
let current = '';
const handler = Webhooks({
  webhookSecret: TEST_WEBHOOK_SECRET,
  onPayload: async () => ledger.record(current),
}) as (req: unknown, res: unknown) => Promise<void>;

const app = express();
app.use(express.json());
app.post('/polar/webhooks', (req: { headers: Record<string, unknown> }, res: unknown) => {
  current = String(req.headers['webhook-id'] ?? '');
  return handler(req, res);
});

serveIpc(ledger.ipcHandlers());
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady(typeof address === 'object' && address ? address.port : 0);
});
