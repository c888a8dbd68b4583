import type { Request } from 'express';
import { isOperationalRequest, requestPath, routeTemplate } from './request-route';

const req = (init: Partial<Request> & { headers?: Record<string, string> }): Request =>
  ({ method: 'GET', headers: {}, baseUrl: '', ...init }) as unknown as Request;

describe('request routes', () => {
  it('labels a request with its route template, never the raw path', () => {
    expect(routeTemplate(req({ route: { path: '/api/v1/trades/:id' }, originalUrl: '/api/v1/trades/7' }))).toBe(
      '/api/v1/trades/:id',
    );
    expect(routeTemplate(req({ baseUrl: '/api', route: { path: '/x' } }))).toBe('/api/x');
  });

  it('treats no route and catch-all middleware routes as unmatched', () => {
    expect(routeTemplate(req({}))).toBeUndefined();
    expect(routeTemplate(req({ route: { path: '/api/{*path}' } }))).toBeUndefined();
  });

  it('drops the query string from the path', () => {
    expect(requestPath(req({ originalUrl: '/api/v1/x?token=secret' }))).toBe('/api/v1/x');
  });

  it('classifies probes, scrapes, docs and CORS preflights as operational', () => {
    for (const url of [
      '/health',
      '/health/live',
      '/health/ready',
      '/metrics',
      '/docs',
      '/docs/x.js',
      '/docs-json',
      // Express serves these spellings from the same routes.
      '/metrics/',
      '/METRICS',
      '/Health/Live/',
      '/docs-json/',
    ]) {
      expect(isOperationalRequest(req({ originalUrl: url }))).toBe(true);
    }
    expect(
      isOperationalRequest(
        req({ method: 'OPTIONS', originalUrl: '/api/v1/x', headers: { 'access-control-request-method': 'GET' } }),
      ),
    ).toBe(true);
    for (const url of ['/api/v1/trades', '/healthz', '/metrics2', '/documents']) {
      expect(isOperationalRequest(req({ originalUrl: url }))).toBe(false);
    }
    expect(isOperationalRequest(req({ method: 'OPTIONS', originalUrl: '/api/v1/x' }))).toBe(false);
  });
});
