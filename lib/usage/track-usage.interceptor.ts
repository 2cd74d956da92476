import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Observable, tap } from 'rxjs';
import { PolarCustomerIdentityService } from '../customer-identity/customer-identity.service.js';
import { describeThrown } from '../errors/describe-thrown.js';
import type { PolarUsageCustomer } from '../interfaces/polar-usage-options.interface.js';
import type { PolarTrackUsageSpec } from './track-usage.decorator.js';
import { POLAR_TRACK_USAGE } from './usage.constants.js';
import { USAGE_MESSAGES } from './usage.messages.js';
import { PolarUsageRecorder } from './usage.recorder.js';

/**
 * Behind `@TrackUsage()`: once the handler's answer is produced without error (status below
 * 400), asks the module's customer resolver who the customer is and records the event. The
 * answer is never delayed or changed by it; a customer that cannot be told is logged and counted
 * (`stats().unattributed`), not guessed.
 */
@Injectable()
export class PolarTrackUsageInterceptor implements NestInterceptor {
  private readonly logger = new Logger('PolarUsage');

  constructor(
    private readonly reflector: Reflector,
    private readonly identity: PolarCustomerIdentityService,
    private readonly recorder: PolarUsageRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.getAllAndOverride<PolarTrackUsageSpec | undefined>(POLAR_TRACK_USAGE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (spec === undefined || context.getType() !== 'http') return next.handle();
    let done = false;
    return next.handle().pipe(
      tap({
        complete: () => {
          // Once per request, even for a handler whose Observable completes twice over.
          if (done) return;
          done = true;
          const status = (context.switchToHttp().getResponse<{ statusCode?: unknown }>() ?? {}).statusCode;
          if (typeof status === 'number' && status >= 400) return;
          void this.track(context, spec);
        },
      }),
    );
  }

  private async track(context: ExecutionContext, spec: PolarTrackUsageSpec): Promise<void> {
    let customer: PolarUsageCustomer;
    try {
      const identity = await this.identity.authorize(context, []);
      customer =
        identity.customer_id !== undefined
          ? { customer_id: identity.customer_id }
          : { external_customer_id: identity.external_customer_id };
    } catch (error) {
      this.recorder.countUnattributed();
      this.logger.warn(`${USAGE_MESSAGES.trackFailed(spec.name)}: no customer`, describeThrown(error));
      return;
    }
    try {
      const { metadata } = spec.options;
      const request = context.switchToHttp().getRequest<unknown>();
      this.recorder.record({
        name: spec.name,
        customer,
        metadata: typeof metadata === 'function' ? metadata(request) : metadata,
      });
    } catch (error) {
      this.logger.error(USAGE_MESSAGES.trackFailed(spec.name), describeThrown(error));
    }
  }
}
