import { Agent, request } from 'node:http';
import { percentile } from './stats.js';

/** One request of the paced load. */
export interface PacedRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Told the status of its answer. */
  answered?: (status: number) => void;
}

/** Latency figures of a paced run, ms (microsecond resolution). */
export interface PacedResult {
  sent: number;
  completed: number;
  failures: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * An open-model load for latency: requests leave at evenly spaced instants (`rate` per second)
 * over a pool of up to `connections` keep-alive connections, whatever the answers do. autocannon's
 * rate mode fires every connection on the same tick — a burst of `connections` requests — so its
 * p99 measures the burst's queue, not a request's cost. Latency here runs from the moment a
 * request is handed to the socket pool to the end of its answer.
 */
export async function pacedLoad(options: {
  url: string;
  /** The `i`-th request to send. */
  request: (i: number) => PacedRequest;
  /** Whether an answer did the job (e.g. a redirect to the portal); others count as failures. */
  succeeded: (status: number) => boolean;
  rate: number;
  durationS: number;
  connections: number;
}): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let sent = 0;
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  const total = Math.round(options.rate * options.durationS);
  const spacingMs = 1000 / options.rate;
  const start = performance.now();

  const fire = (spec: PacedRequest) => {
    const began = performance.now();
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: spec.path,
          method: spec.method ?? 'GET',
          headers: spec.headers,
          agent,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            spec.answered?.(res.statusCode ?? 0);
            if (res.statusCode !== undefined && options.succeeded(res.statusCode)) {
              latencies.push(performance.now() - began);
            } else {
              failures++;
            }
            resolve();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        failures++;
        resolve();
      });
      req.end(spec.body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  while (sent < total) {
    const due = start + sent * spacingMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Catch up if a timer fired late: the schedule, not the timer, decides how many have left.
    while (sent < total && start + sent * spacingMs <= performance.now()) {
      fire(options.request(sent));
      sent++;
    }
  }
  await Promise.all(inFlight);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    sent,
    completed: latencies.length,
    failures,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
  };
}
