import { type NestApplicationOptions, RequestMethod, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { expressErrorHandler, requestIdMiddleware, UNMATCHED_ROUTE_PREFIX_EXCLUSION } from '@app/common';
import type { AppConfig } from '@app/config';
import { corsOptions, securityHeaders } from '@app/edge';
import { RequestObserver } from '@app/observability';
import { setupOpenApi } from './openapi';

/**
 * Options for `NestFactory.create` / `createNestApplication`: Nest's own body parser is off.
 * Bodies are read by `JsonBodyGuard`, after the auth and rate-limit guards (SPEC §4: the bearer token is
 * verified and the rate limit decided before a byte of the body is read).
 */
export const NEST_APP_OPTIONS: NestApplicationOptions = { bodyParser: false, abortOnError: false };

/** Operational routes that live outside `/api` and outside URI versioning (SPEC §1). */
const UNPREFIXED_ROUTES = [
  { path: 'health', method: RequestMethod.GET },
  { path: 'health/live', method: RequestMethod.GET },
  { path: 'health/ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
  { path: '.well-known/jwks.json', method: RequestMethod.GET },
  // The fallback for unknown routes answers under /api and outside it alike.
  UNMATCHED_ROUTE_PREFIX_EXCLUSION,
];

/**
 * Everything about the HTTP surface that is not a module: shared by main.ts and the e2e
 * tests so they exercise the same stack. Call before `app.init()` / `app.listen()`.
 */
export function configureApp(
  app: NestExpressApplication,
  config: AppConfig,
  version = '0.1.0',
): NestExpressApplication {
  app.disable('x-powered-by');
  // Express hashes every body for a weak ETag by default. The reads that revalidate carry the
  // response cache's strong ETag (set before Express looks); everything else is a health probe,
  // a scrape or an answer marked no-store, for which the hash was CPU spent on every response.
  app.set('etag', false);
  app.set('trust proxy', config.http.trustProxy);
  // The id first, so that every response, including a 429 or a 404, carries it.
  app.use(requestIdMiddleware);
  // Where every response ends (audit, metrics, access log), guard refusals and 404s included.
  app.use(app.get(RequestObserver).middleware);
  app.use(securityHeaders);
  app.enableCors(corsOptions(config));
  // What fails in Express itself before Nest (a path that cannot be decoded) as problem+json.
  app.use(expressErrorHandler);

  app.setGlobalPrefix('api', { exclude: UNPREFIXED_ROUTES });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  setupOpenApi(app, version);
  return app;
}
