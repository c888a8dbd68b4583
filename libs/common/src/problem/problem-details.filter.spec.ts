import { Logger, NotFoundException } from '@nestjs/common';
import { ApiProblemException } from './api-problem.exception';
import { problemFromError } from './problem-details.filter';

const logger = new Logger('test');
beforeAll(() => {
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});

describe('problemFromError', () => {
  it('maps the body parser errors to 400, 413 and 415', () => {
    expect(
      problemFromError(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400 }), logger).init.status,
    ).toBe(400);
    const tooLarge = problemFromError(
      Object.assign(new Error('x'), { type: 'entity.too.large', status: 413, limit: 10 }),
      logger,
    );
    expect(tooLarge.init).toMatchObject({ status: 413 });
    expect(tooLarge.init.detail).toContain('10 bytes');
    expect(
      problemFromError(Object.assign(new Error('x'), { type: 'charset.unsupported', status: 415 }), logger).init.status,
    ).toBe(415);
  });

  it('keeps the status and message of Nest HTTP exceptions', () => {
    expect(problemFromError(new NotFoundException('No trade 7'), logger).init).toEqual({
      status: 404,
      detail: 'No trade 7',
    });
  });

  it('passes an ApiProblemException through with its headers', () => {
    const error = new ApiProblemException({ status: 429, detail: 'slow down' }, { 'Retry-After': '30' });
    expect(problemFromError(error, logger)).toEqual({
      init: { status: 429, detail: 'slow down' },
      headers: { 'Retry-After': '30' },
    });
  });

  it('answers 503 with Retry-After when a dependency refuses connections', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const wrapped = Object.assign(new Error('query failed'), { driverError: refused });
    for (const error of [refused, wrapped, new Error('timeout exceeded when trying to connect')]) {
      const { init, headers } = problemFromError(error, logger);
      expect(init.status).toBe(503);
      expect(headers['Retry-After']).toBe('5');
    }
  });

  it('answers 422, not 500, when Postgres refuses the characters of a value', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const wrapped = Object.assign(new Error('query failed'), { driverError: { code: '22P05' } });
    for (const error of [nul, wrapped]) expect(problemFromError(error, logger).init.status).toBe(422);
    const bug = Object.assign(new Error('division by zero'), { code: '22012' });
    expect(problemFromError(bug, logger).init.status).toBe(500);
  });

  it('hides everything about an unexpected error behind a generic 500', () => {
    const { init } = problemFromError(new Error('relation "users" does not exist at /srv/app.js:1'), logger);
    expect(init).toEqual({ status: 500, detail: 'An unexpected error occurred.' });
  });
});
