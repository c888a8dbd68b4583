import type { Request } from 'express';

/** The one label every request that matched no route shares, so 404 scans cannot explode label cardinality. */
export const UNMATCHED_ROUTE = '<unmatched>';

/**
 * The route template that served the request (`/api/v1/trades/:id`), never the raw path:
 * undefined when no controller route matched (404s, body-parser rejections before routing).
 */
export function routeTemplate(req: Request): string | undefined {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  // Nest mounts `forRoutes('*')` middleware as a catch-all route (`/api/{*path}`): when that
  // is the last route seen, no controller matched.
  if (typeof path !== 'string' || path.includes('*')) return undefined;
  return `${req.baseUrl ?? ''}${path}` || '/';
}

/** The path without its query string (which may carry secrets). */
export function requestPath(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '';
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}

/**
 * Express routes case-insensitively and ignores a trailing slash, so `/METRICS/` is a scrape
 * too. Trimmed by a loop: a regex such as `/\/+$/` backtracks quadratically on a long run of
 * slashes that does not end the path.
 */
function classifiedPath(req: Request): string {
  const path = requestPath(req).toLowerCase();
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47 /* '/' */) end--;
  return path.slice(0, end);
}

const DOCS_ASSETS = /^\/docs(?:\/.*)?$|^\/docs-(?:json|yaml)$/;

/**
 * SPEC §6: health probes, metrics scrapes, docs assets and CORS preflights are neither
 * audited nor counted as API traffic (they would drown the real requests).
 */
export function isOperationalRequest(req: Request): boolean {
  const path = classifiedPath(req);
  if (path === '/health' || path.startsWith('/health/')) return true;
  if (path === '/metrics') return true;
  if (DOCS_ASSETS.test(path)) return true;
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}
