import { type CallHandler, type ExecutionContext, Logger } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { defer, lastValueFrom } from 'rxjs';
import { problemFromError } from '../problem/problem-details.filter';
import {
  ConnectionLossRetryInterceptor,
  RETRY_ON_CONNECTION_LOSS,
  RetryOnConnectionLoss,
} from './connection-loss-retry.interceptor';
import { isConnectionLoss, isDependencyOutage } from './connection-loss';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
class QueryRunnerAlreadyReleasedError extends Error {
  override name = 'QueryRunnerAlreadyReleasedError';
}
class QueryRunnerProviderAlreadyReleasedError extends Error {
  override name = 'QueryRunnerProviderAlreadyReleasedError';
}

describe('connection loss', () => {
  it('recognises how pg and TypeORM report a connection that died under the work', () => {
    const lost = [
      withCode('terminating connection due to administrator command', '57P01'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      new QueryRunnerAlreadyReleasedError('Query runner already released. Cannot run queries anymore.'),
      new QueryRunnerProviderAlreadyReleasedError(
        'Database connection provided by a query runner was already released',
      ),
      Object.assign(new Error('query failed'), { driverError: withCode('terminating connection', '57P01') }),
    ];
    for (const error of lost) {
      expect(isConnectionLoss(error)).toBe(true);
      expect(isDependencyOutage(error)).toBe(true);
    }
  });

  it('does not retry what cannot be reached at all, but still calls it an outage', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      new Error('timeout exceeded when trying to connect'),
      withCode('the database system is starting up', '57P03'),
    ]) {
      expect(isConnectionLoss(error)).toBe(false);
      expect(isDependencyOutage(error)).toBe(true);
    }
  });

  it('leaves bugs and bad input alone', () => {
    for (const error of [new Error('division by zero'), withCode('duplicate key', '23505'), 'a string', null]) {
      expect(isConnectionLoss(error)).toBe(false);
      expect(isDependencyOutage(error)).toBe(false);
    }
  });

  it('answers a released query runner (a backend killed mid-transaction) with 503 and Retry-After, not 500', () => {
    const logger = new Logger('test');
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { init, headers } = problemFromError(new QueryRunnerAlreadyReleasedError('released'), logger);
    expect(init.status).toBe(503);
    expect(headers['Retry-After']).toBe('5');
  });
});

describe('ConnectionLossRetryInterceptor', () => {
  const interceptor = new ConnectionLossRetryInterceptor();
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

  function context(method: string, headersSent = false): ExecutionContext {
    const handler = (): void => undefined;
    return {
      getType: () => 'http',
      getHandler: () => handler,
      getClass: () => class {},
      switchToHttp: () => ({ getRequest: () => ({ method, path: '/x' }), getResponse: () => ({ headersSent }) }),
    } as unknown as ExecutionContext;
  }

  /** A handler failing with `errors` in turn, then answering; counts its runs. */
  function handler(errors: Error[]): CallHandler & { runs: number } {
    const h = {
      runs: 0,
      handle: () =>
        defer(() => {
          const error = errors[h.runs++];
          return error ? Promise.reject(error) : Promise.resolve('answer');
        }),
    };
    return h;
  }

  const lost = withCode('terminating connection due to administrator command', '57P01');

  it('runs a read once more after a lost connection', async () => {
    const h = handler([lost]);
    await expect(lastValueFrom(interceptor.intercept(context('GET'), h))).resolves.toBe('answer');
    expect(h.runs).toBe(2);
  });

  it('runs it a second time, later, when the first re-run lost its connection too (a mass termination)', async () => {
    const h = handler([lost, lost]);
    const started = Date.now();
    await expect(lastValueFrom(interceptor.intercept(context('GET'), h))).resolves.toBe('answer');
    expect(h.runs).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  it('gives up after two re-runs', async () => {
    const h = handler([lost, lost, lost]);
    await expect(lastValueFrom(interceptor.intercept(context('GET'), h))).rejects.toBe(lost);
    expect(h.runs).toBe(3);
  });

  it('never re-runs a handler whose response is already under way', async () => {
    const h = handler([lost]);
    await expect(lastValueFrom(interceptor.intercept(context('GET', true), h))).rejects.toBe(lost);
    expect(h.runs).toBe(1);
  });

  it('never retries other errors', async () => {
    const bug = new Error('division by zero');
    const h = handler([bug]);
    await expect(lastValueFrom(interceptor.intercept(context('GET'), h))).rejects.toBe(bug);
    expect(h.runs).toBe(1);
  });

  it('is attached to a route by @RetryOnConnectionLoss(), which marks it too', () => {
    class Controller {
      @RetryOnConnectionLoss()
      write(): void {}
    }
    const method = Object.getOwnPropertyDescriptor(Controller.prototype, 'write')?.value as object;
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, method)).toEqual([ConnectionLossRetryInterceptor]);
    expect(Reflect.getMetadata(RETRY_ON_CONNECTION_LOSS, method)).toBe(true);
  });
});
