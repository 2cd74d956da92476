/**
 * A stand-in for Polar's `POST /v1/customer-sessions/`, in its own process: answers 201 with a
 * CustomerSession shaped like the 2026-10 API (and the older SDK's schema the peer validates),
 * as cheaply as possible, with an optional added latency. It counts calls and reports its own CPU
 * time and handling latency, so the report can show it is never the bottleneck.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { announceReady, serveIpc } from './support/ipc.js';
import { BENCH_ACCESS_TOKEN, BENCH_ORGANIZATION_ID, BENCH_PRODUCT_ID, benchCustomers } from './support/fixtures.js';
import { percentile } from './support/stats.js';

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SESSION_PATH = '/v1/customer-sessions/';
const AUTHORIZATION = `Bearer ${BENCH_ACCESS_TOKEN}`;

const customers = benchCustomers();
/** Pre-serialised customer objects: the real server renders them too, but we must stay cheap. */
const customerJson = new Map<string, { id: string; json: string; email: string }>();
for (const c of customers) {
  const createdAt = '2026-01-15T10:00:00.000000Z';
  const json = JSON.stringify({
    id: c.id,
    created_at: createdAt,
    modified_at: null,
    metadata: {},
    external_id: c.externalId,
    email: c.email,
    email_verified: false,
    type: 'individual',
    name: null,
    billing_name: null,
    billing_address: null,
    tax_id: null,
    locale: null,
    organization_id: BENCH_ORGANIZATION_ID,
    default_payment_method_id: null,
    deleted_at: null,
    first_user_event_at: null,
    avatar_url: `https://www.gravatar.com/avatar/${c.id.replace(/-/g, '')}?d=404`,
  });
  const entry = { id: c.id, json, email: c.email };
  customerJson.set(`id:${c.id}`, entry);
  customerJson.set(`ext:${c.externalId}`, entry);
}

function sessionToken(prefix: string): string {
  const bytes = randomBytes(43);
  let out = prefix;
  for (let i = 0; i < 43; i++) out += TOKEN_ALPHABET[bytes[i] % TOKEN_ALPHABET.length];
  return out;
}

let addedLatencyMs = Number(process.env.BENCH_UPSTREAM_LATENCY_MS ?? 0);
let calls = 0;
let handlingMs: number[] = [];
let windowStart = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };

function send(res: ServerResponse, status: number, body: string, started: bigint): void {
  const finish = () => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'private, no-store',
      'polar-version': '2026-10',
    });
    res.end(body);
    handlingMs.push(Number(process.hrtime.bigint() - started) / 1e6);
  };
  if (addedLatencyMs > 0) setTimeout(finish, addedLatencyMs);
  else finish();
}

const STATE_PATH = /^\/v1\/customers\/([0-9a-f-]{36})\/state$/;

/** `GET /v1/customers/{id}/state`: the customer with one active subscription; and an empty past-due list. */
function handleRead(req: IncomingMessage, res: ServerResponse, started: bigint): boolean {
  if (req.method !== 'GET') return false;
  const url = req.url ?? '';
  if (url.startsWith('/v1/subscriptions/')) {
    calls++;
    send(res, 200, '{"items":[],"pagination":{"total_count":0,"max_page":0}}', started);
    return true;
  }
  const match = STATE_PATH.exec(url);
  if (!match) return false;
  calls++;
  const customer = customerJson.get(`id:${match[1]}`);
  if (!customer) {
    send(res, 404, '{"error":"ResourceNotFound","detail":"Not found"}', started);
    return true;
  }
  const state = `${customer.json.slice(0, -1)},"active_subscriptions":[${subscriptionJson(customer.id)}],"granted_benefits":[],"active_meters":[]}`;
  send(res, 200, state, started);
  return true;
}

function subscriptionJson(customerId: string): string {
  return JSON.stringify({
    id: customerId,
    created_at: '2026-01-15T10:00:00.000000Z',
    modified_at: null,
    custom_field_data: {},
    metadata: {},
    status: 'active',
    amount: 2000,
    currency: 'usd',
    recurring_interval: 'month',
    current_period_start: '2026-11-15T10:00:00.000000Z',
    current_period_end: '2099-12-15T10:00:00.000000Z',
    trial_start: null,
    trial_end: null,
    cancel_at_period_end: false,
    canceled_at: null,
    started_at: '2026-01-15T10:00:00.000000Z',
    ends_at: null,
    product_id: BENCH_PRODUCT_ID,
    discount_id: null,
    meters: [],
  });
}

function handle(req: IncomingMessage, res: ServerResponse, raw: string, started: bigint): void {
  if (req.headers.authorization === AUTHORIZATION && handleRead(req, res, started)) return;
  if (req.method !== 'POST' || req.url !== SESSION_PATH) {
    send(res, 404, '{"detail":"Not Found"}', started);
    return;
  }
  if (req.headers.authorization !== AUTHORIZATION) {
    send(res, 401, '{"error":"Unauthorized","detail":"Unauthorized"}', started);
    return;
  }
  calls++;
  let body: { customer_id?: string; external_customer_id?: string; return_url?: string | null };
  try {
    body = JSON.parse(raw) as typeof body;
  } catch {
    send(
      res,
      422,
      '{"error":"RequestValidationError","detail":[{"type":"json_invalid","loc":["body"],"msg":"JSON decode error","input":null}]}',
      started,
    );
    return;
  }
  const key = body.customer_id ? `id:${body.customer_id}` : `ext:${body.external_customer_id}`;
  const customer = customerJson.get(key);
  if (!customer) {
    const field = body.customer_id ? 'customer_id' : 'external_customer_id';
    send(
      res,
      422,
      JSON.stringify({
        error: 'PolarRequestValidationError',
        detail: [
          { type: 'value_error', loc: ['body', field], msg: 'Customer does not exist.', input: body[field] ?? null },
        ],
      }),
      started,
    );
    return;
  }
  const now = new Date();
  const token = sessionToken('polar_cst_');
  const portalUrl = `https://polar.sh/emulator-org/portal?customer_session_token=${token}&email=${encodeURIComponent(customer.email)}`;
  // The customer object is spliced in as pre-serialised JSON: same bytes, none of the work.
  const head = JSON.stringify({
    id: randomUUID(),
    created_at: now.toISOString(),
    modified_at: null,
    token,
    expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
    return_url: body.return_url ?? null,
    customer_portal_url: portalUrl,
    customer_id: customer.id,
  });
  send(res, 201, `${head.slice(0, -1)},"customer":${customer.json}}`, started);
}

const server = createServer((req, res) => {
  const started = process.hrtime.bigint();
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (raw += chunk));
  req.on('end', () => handle(req, res, raw, started));
});
server.keepAliveTimeout = 65_000;

serveIpc({
  /** Starts a measuring window: zero the call count, CPU and latency samples. */
  reset: () => {
    calls = 0;
    handlingMs = [];
    windowStart = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
    return null;
  },
  latency: (ms) => {
    addedLatencyMs = Number(ms);
    return null;
  },
  /** What happened since the last reset. */
  stats: () => {
    const cpu = process.cpuUsage(windowStart.cpu);
    const wallMs = Number(process.hrtime.bigint() - windowStart.at) / 1e6;
    const sorted = handlingMs.slice().sort((a, b) => a - b);
    return {
      calls,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
    };
  },
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady(typeof address === 'object' && address ? address.port : 0);
});
