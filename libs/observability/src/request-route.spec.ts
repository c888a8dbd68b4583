import type { Request } from 'express';
import { routeTemplate } from './request-route';

const req = (init: Partial<Request>): Request =>
  ({ method: 'GET', headers: {}, baseUrl: '', ...init }) as unknown as Request;

describe('request routes', () => {
  it('labels a request with its route template, never the raw path', () => {
    expect(routeTemplate(req({ route: { path: '/api/v1/trades/:id' }, originalUrl: '/api/v1/trades/7' }))).toBe(
      '/api/v1/trades/:id',
    );
    expect(routeTemplate(req({ baseUrl: '/api', route: { path: '/x' } }))).toBe('/api/x');
  });

  it('treats no route and catch-all routes (the unknown-route fallback) as unmatched', () => {
    expect(routeTemplate(req({}))).toBeUndefined();
    expect(routeTemplate(req({ route: { path: '/api/{*path}' } }))).toBeUndefined();
    expect(routeTemplate(req({ route: { path: '/{*path}' } }))).toBeUndefined();
  });
});
