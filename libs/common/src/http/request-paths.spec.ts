import { isOperationalRequest, pathKind, requestKind, requestPath } from './request-paths';

const req = (init: { method?: string; originalUrl?: string; url?: string; headers?: Record<string, string> }) => ({
  method: 'GET',
  headers: {},
  ...init,
});

describe('request paths', () => {
  it('drops the query string from the path', () => {
    expect(requestPath(req({ originalUrl: '/api/v1/x?token=secret' }))).toBe('/api/v1/x');
    expect(requestPath(req({ url: '/metrics?x=1' }))).toBe('/metrics');
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
      '/docs-yaml',
      // Express serves these spellings from the same routes.
      '/metrics/',
      '/METRICS',
      '/Health/Live/',
      '/docs-json/',
      '/metrics?scrape=1',
    ]) {
      expect({ url, operational: isOperationalRequest(req({ originalUrl: url })) }).toEqual({ url, operational: true });
    }
    expect(
      requestKind(
        req({ method: 'OPTIONS', originalUrl: '/api/v1/x', headers: { 'access-control-request-method': 'GET' } }),
      ),
    ).toBe('preflight');
  });

  it('counts everything else, unknown routes and plain OPTIONS included', () => {
    for (const url of ['/api/v1/trades', '/healthz', '/metrics2', '/documents', '/docs-other', '/wp-admin', '/']) {
      expect({ url, operational: isOperationalRequest(req({ originalUrl: url })) }).toEqual({
        url,
        operational: false,
      });
    }
    expect(isOperationalRequest(req({ method: 'OPTIONS', originalUrl: '/api/v1/x' }))).toBe(false);
  });

  it('names the kind of a path (helmet picks the docs policy by it)', () => {
    expect(pathKind('/DOCS/')).toBe('docs');
    expect(pathKind('/health/ready')).toBe('health');
    expect(pathKind('/api/v1/docs')).toBe('api');
  });

  it('trims a long run of slashes in linear time', () => {
    const started = Date.now();
    expect(pathKind(`/metrics${'/'.repeat(100_000)}x`)).toBe('api');
    expect(pathKind(`/metrics${'/'.repeat(100_000)}`)).toBe('metrics');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('classifies a request once', () => {
    const r = req({ originalUrl: '/metrics' });
    expect(requestKind(r)).toBe('metrics');
    r.originalUrl = '/api/v1/trades';
    expect(requestKind(r)).toBe('metrics');
  });
});
