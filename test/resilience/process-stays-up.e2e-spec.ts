import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CUSTOMER_IDENTITY_MESSAGES } from '../../lib/customer-identity/customer-identity.messages.js';
import { PolarEmulator } from '../../lib/testing/index.js';
import { webhookMessages } from '../../lib/webhooks/webhooks.messages.js';
import { customerData, eventBody, signWebhook, TEST_WEBHOOK_SECRET } from '../../lib/webhooks/webhooks.fixtures.js';
import {
  EVENT_MARK,
  FIXTURE_ERROR_TEXT,
  type HandlerMode,
  type ProcessEvent,
  READY_MARK,
  type ResilienceReport,
  type ResolverMode,
} from './fixtures/resilience-protocol.js';
import { type CompiledFixture, compileFixture } from '../support/compiled-fixture.js';

const EXTERNAL_ID = 'resilience-user';
let fixture: CompiledFixture;

async function compileResilienceApp(): Promise<void> {
  fixture = await compileFixture('test/resilience/fixtures/resilience-app.ts', 'resilience');
}

/** The app in its own Node process, with everything it printed. */
class AppProcess {
  stdout = '';
  stderr = '';
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static start(adapter: string, env: Record<string, string>): Promise<AppProcess> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1' };
    delete childEnv.NODE_OPTIONS;
    const child = spawn(process.execPath, [fixture.script, adapter], {
      cwd: fixture.dir,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    return new Promise((resolveStart, rejectStart) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        rejectStart(new Error(`the resilience app did not start in time:\n${stdout}\n${stderr}`));
      }, 60_000);
      let app: AppProcess | undefined;
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        if (app) {
          app.stdout += chunk;
          return;
        }
        stdout += chunk;
        const ready = new RegExp(`^${READY_MARK}(\\d+)$`, 'm').exec(stdout);
        if (ready) {
          clearTimeout(timer);
          app = new AppProcess(child, `http://127.0.0.1:${ready[1]}`);
          app.stdout = stdout;
          app.stderr = stderr;
          resolveStart(app);
        }
      });
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        if (app) app.stderr += chunk;
        else stderr += chunk;
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!app)
          rejectStart(
            new Error(`the resilience app exited (${code ?? signal}) before listening:\n${stdout}\n${stderr}`),
          );
      });
    });
  }

  /** Still running: it neither exited nor was killed. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Every process-level failure the app printed. */
  get printedEvents(): ProcessEvent[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith(EVENT_MARK))
      .map((line) => JSON.parse(line.slice(EVENT_MARK.length)) as ProcessEvent);
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    await Promise.race([exited, delay(10_000, undefined, { ref: false })]);
    if (this.alive) this.child.kill('SIGKILL');
  }
}

beforeAll(compileResilienceApp, 180_000);
afterAll(() => fixture?.remove());

describe.each(['express', 'fastify'])(
  'a throwing resolver or webhook handler leaves the process up (%s)',
  (adapter) => {
    let polar: PolarEmulator;
    let app: AppProcess;

    beforeAll(async () => {
      polar = await PolarEmulator.start();
      polar.seedCustomer({ external_id: EXTERNAL_ID, email: 'resilience@mailinator.com' });
      app = await AppProcess.start(adapter, {
        POLAR_URL: polar.url,
        POLAR_ACCESS_TOKEN: polar.accessToken,
        WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        PORTAL_EXTERNAL_ID: EXTERNAL_ID,
      });
    }, 90_000);

    afterAll(async () => {
      await app?.stop();
      await polar?.stop();
    });

    const report = async (): Promise<ResilienceReport> => {
      const response = await fetch(`${app.url}/__resilience/report`);
      expect(response.status).toBe(200);
      return (await response.json()) as ResilienceReport;
    };

    /** Alive, and nothing unhandled: by its own report and by what it printed. */
    const expectStillUp = async (): Promise<void> => {
      // A rejection left dangling by a failed request surfaces within a few ticks; give it time to.
      await delay(150);
      expect(app.alive).toBe(true);
      expect((await report()).events).toEqual([]);
      expect(app.printedEvents).toEqual([]);
    };

    /** No answer, header or log line carries a secret; answers do not carry the app's error text. */
    const expectNoSecrets = (text: string): void => {
      expect(text).not.toContain(polar.accessToken);
      expect(text).not.toContain(TEST_WEBHOOK_SECRET);
    };

    describe('GET /billing/portal', () => {
      it.each<ResolverMode>(['sync-throw', 'rejected', 'throw-after-await'])(
        'resolver %s: 500 polar_portal_resolver_failed, logged, nothing sent to Polar; then the route answers normally',
        async (mode) => {
          polar.clearRequests();
          const failed = await fetch(`${app.url}/billing/portal`, {
            headers: { 'x-resolver': mode, accept: 'application/json' },
            redirect: 'manual',
          });
          const text = await failed.text();
          expect(failed.status).toBe(500);
          expect(JSON.parse(text)).toEqual({
            statusCode: 500,
            error: 'Internal Server Error',
            code: 'polar_portal_resolver_failed',
            message: CUSTOMER_IDENTITY_MESSAGES.resolverFailed,
          });
          expect(text).not.toContain(FIXTURE_ERROR_TEXT);
          expectNoSecrets(text + JSON.stringify([...failed.headers]));
          expect(polar.requests).toEqual([]);

          // The cause is in the server log (that is where the answer sends the developer).
          expect(app.stderr).toContain('The portal customer resolver threw');
          expect(app.stderr).toContain(
            `resolver ${mode === 'sync-throw' ? 'sync' : mode === 'rejected' ? 'rejected' : 'after await'}: ${FIXTURE_ERROR_TEXT}`,
          );

          const redirect = await fetch(`${app.url}/billing/portal`, { redirect: 'manual' });
          expect(redirect.status).toBe(303);
          expect(redirect.headers.get('location')).toMatch(/^https?:\/\//);
          const json = await fetch(`${app.url}/billing/portal`, { headers: { accept: 'application/json' } });
          expect(json.status).toBe(200);
          expect(await json.json()).toEqual({ url: expect.any(String), expires_at: expect.any(String) });
          expect(polar.requests.filter((request) => request.method === 'POST')).toHaveLength(2);

          await expectStillUp();
        },
      );
    });

    describe('POST /billing/webhooks', () => {
      it.each<HandlerMode>(['sync-throw', 'async-reject'])(
        'handler %s: 500 so Polar retries, logged; once fixed the same delivery is handled, then a duplicate',
        async (mode) => {
          const setMode = async (next: HandlerMode): Promise<void> => {
            const response = await fetch(`${app.url}/__resilience/handler-mode?mode=${next}`, { method: 'PUT' });
            expect(response.status).toBe(200);
          };
          const customerId = randomUUID();
          const body = eventBody('customer.created', customerData({ id: customerId }));
          const headers = signWebhook(body, TEST_WEBHOOK_SECRET);
          // Polar's retry resends the same bytes with the same webhook-id and signature.
          const deliver = () => fetch(`${app.url}/billing/webhooks`, { method: 'POST', headers, body });

          await setMode(mode);
          for (let attempt = 0; attempt < 2; attempt++) {
            const failed = await deliver();
            const text = await failed.text();
            expect(failed.status).toBe(500);
            expect(JSON.parse(text)).toMatchObject({ statusCode: 500, message: webhookMessages.handlerFailed() });
            expect(text).not.toContain(FIXTURE_ERROR_TEXT);
            expectNoSecrets(text);
          }
          expect((await report()).handled).not.toContain(customerId);
          expect(app.stderr).toContain(`failed for customer.created delivery ${headers['webhook-id']}`);
          expect(app.stderr).toContain(`handler ${mode === 'sync-throw' ? 'sync' : 'async'}: ${FIXTURE_ERROR_TEXT}`);
          await expectStillUp();

          await setMode('ok');
          const retried = await deliver();
          expect(retried.status).toBe(200);
          expect(await retried.json()).toEqual({ received: true });
          const again = await deliver();
          expect(again.status).toBe(200);
          expect(await again.json()).toEqual({ received: true, duplicate: true });
          expect((await report()).handled.filter((id) => id === customerId)).toHaveLength(1);

          await expectStillUp();
          await setMode('sync-throw');
        },
      );
    });

    describe('after all of the above', () => {
      it('the process is still running, recorded no unhandled rejection or uncaught exception, and logged no secret', async () => {
        await delay(300);
        expect(app.alive).toBe(true);
        const final = await report();
        expect(final.events).toEqual([]);
        expect(app.printedEvents).toEqual([]);
        expectNoSecrets(app.output);
      });
    });
  },
);
