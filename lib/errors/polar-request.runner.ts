import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_RETRY_WAIT_MS, POLAR_RESOLVED_OPTIONS, RETRY_BACKOFF_MS } from '../polar.constants.js';
import type { PolarResolvedOptions } from '../interfaces/polar-module-options.interface.js';
import {
  classifyPolarError,
  type PolarErrorContext,
  type PolarFailure,
  toPolarHttpException,
} from './polar-error.mapper.js';

/**
 * Runs SDK calls for the services: reads retry on 429, 5xx and network failures (at most
 * `readRetries` times, waiting `retry-after` when Polar gives one up to 3 s, else 100 ms, 200 ms, …);
 * writes run once. Either way a failure leaves as the mapped `HttpException`.
 */
@Injectable()
export class PolarRequestRunner {
  private readonly context: PolarErrorContext;

  constructor(@Inject(POLAR_RESOLVED_OPTIONS) private readonly options: PolarResolvedOptions) {
    this.context = { environment: `${options.environment} (${options.baseUrl})` };
  }

  /** A read (GET): safe to repeat. */
  async read<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const wait = attempt < this.options.readRetries ? retryWaitMs(classifyPolarError(error), attempt) : undefined;
        if (wait === undefined) throw toPolarHttpException(error, this.context);
        await sleep(wait);
      }
    }
  }

  /** A write: never repeated here, since Polar may have applied it before the failure. */
  async write<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toPolarHttpException(error, this.context);
    }
  }
}

/**
 * How long to wait before retrying a read, or `undefined` to give up. Timeouts are not retried:
 * the caller already waited `timeoutMs`. A `retry-after` longer than 3 s is not waited out either;
 * the caller gets 503 + Retry-After at once.
 */
export function retryWaitMs(failure: PolarFailure, attempt: number): number | undefined {
  const backoff = RETRY_BACKOFF_MS * 2 ** attempt;
  if (failure.kind === 'server' || failure.kind === 'network') return backoff;
  if (failure.kind === 'status' && failure.status === 429) {
    const wait = failure.retryAfter === null ? backoff : Math.max(0, failure.retryAfter * 1000);
    return wait <= MAX_RETRY_WAIT_MS ? wait : undefined;
  }
  return undefined;
}
