import type { IncomingMessage } from 'node:http';

/**
 * The one classification of requests that the rate limiter, the request observer (audit,
 * metrics, access log), tracing and the security headers share, so that they never disagree
 * about which requests are "operational". No imports beyond types: tracing loads this before
 * the HTTP stack is instrumented.
 */
export type RequestKind = 'api' | 'health' | 'metrics' | 'docs' | 'preflight';

type Classifiable = Pick<IncomingMessage, 'method' | 'headers' | 'url'> & { originalUrl?: string };

const KIND = Symbol('requestKind');
type Cached = Classifiable & { [KIND]?: RequestKind };

/** The path without its query string (which may carry secrets). */
export function requestPath(req: { originalUrl?: string; url?: string }): string {
  const url = req.originalUrl ?? req.url ?? '';
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}

/**
 * Express routes case-insensitively and ignores a trailing slash, so `/METRICS/` is a scrape
 * too. Trimmed by a loop: a regex such as `/\/+$/` backtracks quadratically on a long run of
 * slashes that does not end the path.
 */
function canonicalPath(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47 /* '/' */) end--;
  return (end === path.length ? path : path.slice(0, end)).toLowerCase();
}

/** Kind of a path alone (no method): what the operational routes serve, else `api`. */
export function pathKind(path: string): Exclude<RequestKind, 'preflight'> {
  const p = canonicalPath(path);
  if (p === '/health' || p.startsWith('/health/')) return 'health';
  if (p === '/metrics') return 'metrics';
  if (p === '/docs' || p.startsWith('/docs/') || p === '/docs-json' || p === '/docs-yaml') return 'docs';
  return 'api';
}

/** A CORS preflight: answered by the CORS middleware, never counted, audited or traced. */
export function isPreflight(req: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}

/** Classifies once per request (the result is kept on the request object). */
export function requestKind(req: Classifiable): RequestKind {
  const cached = (req as Cached)[KIND];
  if (cached !== undefined) return cached;
  const kind: RequestKind = isPreflight(req) ? 'preflight' : pathKind(requestPath(req));
  (req as Cached)[KIND] = kind;
  return kind;
}

/**
 * Health probes, metrics scrapes, docs assets and CORS preflights: not rate limited, not
 * audited, not counted as API traffic (they would drown the real requests). Everything else,
 * unknown routes included, is.
 */
export function isOperationalRequest(req: Classifiable): boolean {
  return requestKind(req) !== 'api';
}
