import type { Request } from 'express';

/** The one label every request that matched no route shares, so 404 scans cannot explode label cardinality. */
export const UNMATCHED_ROUTE = '<unmatched>';

/**
 * The route template that served the request (`/api/v1/trades/:id`), never the raw path:
 * undefined when no controller route matched (404s, rejections before routing).
 */
export function routeTemplate(req: Request): string | undefined {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  // Unknown routes are answered by the catch-all fallback route (`/{*path}`), and Nest mounts
  // `forRoutes('*')` middleware as catch-all routes too: a wildcard means no controller matched.
  if (typeof path !== 'string' || path.includes('*')) return undefined;
  return `${req.baseUrl ?? ''}${path}` || '/';
}
