import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { precomputed, securityHeaders } from './security-headers';

function headersAfter(middleware: RequestHandler, url = '/api/v1/portfolio'): Record<string, unknown> {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = url;
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

  it('gives JSON answers the API security headers and no header meant for HTML pages; the docs keep those', () => {
    const api = headersAfter(securityHeaders);
    expect(api).toMatchObject({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(api['x-powered-by']).toBeUndefined();
    const legacy = [
      'x-dns-prefetch-control',
      'x-download-options',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
      'origin-agent-cluster',
    ];
    for (const name of legacy) expect(api[name]).toBeUndefined();
    const docs = headersAfter(securityHeaders, '/docs/');
    for (const name of legacy) expect(docs[name]).toBeDefined();
  });
});
