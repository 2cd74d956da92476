/**
 * The webhook floor: bare node:http, `standardwebhooks` verification of the raw bytes, a Map as
 * the dedupe (one process), the handler, `200`. No framework, no schema validation, no deadlines —
 * the least work that still verifies and runs each delivery once.
 */
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { announceReady, serveIpc } from '../support/ipc.js';
import { DeliveryLedger } from '../support/webhook-ledger.js';
import { TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';

const MAX_REMEMBERED = 10_000;
const verifier = new Webhook(TEST_WEBHOOK_SECRET);
const ledger = new DeliveryLedger();
const handled = new Set<string>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const id = req.headers['webhook-id'];
    try {
      verifier.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
    } catch {
      res.writeHead(403).end();
      return;
    }
    if (typeof id !== 'string' || !handled.has(id)) {
      ledger.record(String(id));
      handled.add(String(id));
      // Oldest first: a Set iterates in insertion order.
      if (handled.size > MAX_REMEMBERED) handled.delete(handled.values().next().value as string);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
  });
});

serveIpc(ledger.ipcHandlers());
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady(typeof address === 'object' && address ? address.port : 0);
});
