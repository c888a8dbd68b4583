import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { type Observable, retry, throwError, timer } from 'rxjs';
import { isConnectionLoss } from './connection-loss';

export const RETRY_ON_CONNECTION_LOSS = 'resilience:retryOnConnectionLoss';

/**
 * Marks a write whose effect does not depend on how many times it runs (keyed on the
 * client's ids, or setting a value): safe to run again after a connection died under it.
 * Reads (GET, HEAD) need no mark.
 */
export const RetryOnConnectionLoss = (): MethodDecorator & ClassDecorator =>
  SetMetadata(RETRY_ON_CONNECTION_LOSS, true);

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
 */
@Injectable()
export class ConnectionLossRetryInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ConnectionLoss');

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const idempotent =
      request.method === 'GET' ||
      request.method === 'HEAD' ||
      this.reflector.getAllAndOverride<boolean | undefined>(RETRY_ON_CONNECTION_LOSS, [
        context.getHandler(),
        context.getClass(),
      ]) === true;
    if (!idempotent) return next.handle();
    return next.handle().pipe(
      retry({
        count: 1,
        delay: (error: unknown) => {
          // A response already under way (a stream) cannot be answered a second time.
          if (!isConnectionLoss(error) || response.headersSent) return throwError(() => error);
          this.logger.warn(
            `${request.method} ${request.path}: connection lost (${error instanceof Error ? error.message : String(error)}); retrying once`,
          );
          return timer(RETRY_DELAY_MS);
        },
      }),
    );
  }
}
