import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { precomputed } from './security-headers';

function headersAfter(middleware: RequestHandler): Record<string, unknown> {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/api/v1/portfolio';
  const res = new ServerResponse(req);
  res.setHeader('X-Powered-By', 'Express');
  let called = 0;
  void middleware(req as Request, res as unknown as Response, (() => called++) as NextFunction);
  expect(called).toBe(1);
  return res.getHeaders();
}

describe('precomputed security headers', () => {
  it('sets exactly the headers helmet sets, and removes X-Powered-By like it', () => {
    const options = {
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"] } },
      referrerPolicy: { policy: 'no-referrer' as const },
    };
    const expected = headersAfter(helmet(options));
    expect(expected['content-security-policy']).toBe("default-src 'none'");
    expect(expected['x-powered-by']).toBeUndefined();
    expect(headersAfter(precomputed(helmet(options)))).toEqual(expected);
  });

  it('falls back to the middleware itself when it does not finish synchronously', () => {
    const later: RequestHandler = (_req, res, next) => {
      res.setHeader('X-Later', String(Date.now()));
      setImmediate(next);
    };
    expect(precomputed(later)).toBe(later);
  });
});
