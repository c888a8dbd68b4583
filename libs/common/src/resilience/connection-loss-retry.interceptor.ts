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
import { concatMap, type Observable, retry, throwError, timer } from 'rxjs';
import { requestLogLine } from '../http/request-log';
import { isConnectionLoss } from './connection-loss';

export const RETRY_ON_CONNECTION_LOSS = 'resilience:retryOnConnectionLoss';

/**
 * Waits before each re-run. The first is long enough for the pool to hear that its other
 * connections died too (when a database restarts or an operator terminates backends, the idle
 * ones go in the same instant), so the re-run gets a fresh connection instead of the next dead
 * one. On a busy machine a signalled backend can take longer than that to exit, and the pool
 * then still hands out its connection: the second re-run, later, covers that case. The resilience
 * suite showed it: with one re-run, 1 to 5 runs in 10 of its mass termination ended in one 503.
 */
const RETRY_DELAYS_MS = [100, 500] as const;

/**
 * Resolves in the event loop's check phase, after the poll phase has run the I/O callbacks
 * already pending. A busy loop runs a due timer before it reads the sockets; this is where the
 * pool hears that an idle connection's socket closed, so the retry cannot take the dead one.
 */
const afterPendingIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs an idempotent handler again when a lost database connection cut it off (a terminated
 * backend, a reset socket): the client sees the answer instead of an error. At most
 * `RETRY_DELAYS_MS.length` re-runs, each after its delay. `next.handle()` is deferred, so
 * re-subscribing re-runs the pipes and the handler; guards and middleware ran before and do not
 * run twice. Anything else, or a loss on the last re-run, goes to the problem filter (a lost
 * connection is 503 with Retry-After there, never 500).
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
        count: RETRY_DELAYS_MS.length,
        delay: (error: unknown, retryCount: number) => {
          // A response already under way (a stream) cannot be answered a second time.
          if (!isConnectionLoss(error) || response.headersSent) return throwError(() => error);
          this.logger.warn(
            requestLogLine(
              `${request.method} ${request.path}: connection lost (${error instanceof Error ? error.message : String(error)}); retry ${retryCount} of ${RETRY_DELAYS_MS.length}`,
              request,
            ),
          );
          return timer(RETRY_DELAYS_MS[retryCount - 1]).pipe(concatMap(afterPendingIo));
        },
      }),
    );
  }
}

/**
 * Marks a route whose effect does not depend on how many times it runs (a read, or a write
 * keyed on the client's ids or setting a value): it is run again after a connection died
 * under it. Every GET route that reads the database carries it (`TransparencyRead` and
 * `TransparencyWrite` include it; a test walks the routes).
 */
export const RetryOnConnectionLoss = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(RETRY_ON_CONNECTION_LOSS, true), UseInterceptors(ConnectionLossRetryInterceptor));
