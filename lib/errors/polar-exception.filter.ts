import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PolarException, PolarRateLimitException } from './polar.exceptions.js';

/**
 * Renders `PolarException`s like Nest's default filter, plus the `Retry-After` header of a 503
 * rate limit (an `HttpException` cannot carry headers). Works on Express and Fastify.
 * @example @UseFilters(PolarExceptionFilter)
 */
@Catch(PolarException)
@Injectable()
export class PolarExceptionFilter implements ExceptionFilter<PolarException> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: PolarException, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    if (exception instanceof PolarRateLimitException) {
      adapter.setHeader(response, 'Retry-After', String(exception.retryAfter));
    }
    adapter.reply(response, exception.getResponse(), exception.getStatus());
  }
}
