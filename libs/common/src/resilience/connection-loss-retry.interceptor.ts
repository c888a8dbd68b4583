import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Observable, retry, throwError, timer } from 'rxjs';
import { requestLogLine } from '../http/request-log';
import { isConnectionLoss } from './connection-loss';

export const RETRY_ON_CONNECTION_LOSS = 'resilience:retryOnConnectionLoss';

/**
 * Long enough for the pool to hear that its other connections died too (when a database
 * restarts or an operator terminates backends, the idle ones go in the same instant), so the
 * retry gets a fresh connection instead of the next dead one.
 */
const RETRY_DELAY_MS = 100;

/**
 * Runs an idempotent handler once more when a lost database connection cut it off (a
 * terminated backend, a reset socket): the client sees the answer instead of an error.
 * `next.handle()` is deferred, so re-subscribing re-runs the pipes and the handler; guards
 * and middleware ran before and do not run twice. Anything else, or a second loss, goes to
 * the problem filter (a lost connection is 503 with Retry-After there, never 500).
 * Route-scoped through `@RetryOnConnectionLoss()`, not global: a global interceptor puts an
 * rxjs pipeline on every request, health probes and metrics scrapes included.
 */
@Injectable()
export class ConnectionLossRetryInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ConnectionLoss');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      retry({
        count: 1,
        delay: (error: unknown) => {
          // A response already under way (a stream) cannot be answered a second time.
          if (!isConnectionLoss(error) || response.headersSent) return throwError(() => error);
          this.logger.warn(
            requestLogLine(
              `${request.method} ${request.path}: connection lost (${error instanceof Error ? error.message : String(error)}); retrying once`,
              request,
            ),
          );
          return timer(RETRY_DELAY_MS);
        },
      }),
    );
  }
}

/**
 * Marks a route whose effect does not depend on how many times it runs (a read, or a write
 * keyed on the client's ids or setting a value): it is run once more after a connection died
 * under it. Every GET route that reads the database carries it (`TransparencyRead` and
 * `TransparencyWrite` include it; a test walks the routes).
 */
export const RetryOnConnectionLoss = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(RETRY_ON_CONNECTION_LOSS, true), UseInterceptors(ConnectionLossRetryInterceptor));
