import { type NestApplicationOptions, RequestMethod, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { expressErrorHandler, jsonBodyParser, requestIdMiddleware, requireJsonBody } from '@app/common';
import type { AppConfig } from '@app/config';
import { corsOptions, securityHeaders } from '@app/edge';
import { RequestObserver } from '@app/observability';
import { setupOpenApi } from './openapi';

/**
 * Options for `NestFactory.create` / `createNestApplication`: Nest's own body parser is
 * off because `configureApp` installs one with per-route limits and problem+json errors.
 */
export const NEST_APP_OPTIONS: NestApplicationOptions = { bodyParser: false, abortOnError: false };

/** SPEC §1: the ingest routes accept INGEST_BODY_LIMIT instead of BODY_LIMIT. */
export const INGEST_PATHS = [
  /^\/api\/v1\/trades\/?$/,
  /^\/api\/v1\/performance\/snapshots\/?$/,
  /^\/api\/v1\/ai\/decisions\/?$/,
];

/** Operational routes that live outside `/api` and outside URI versioning (SPEC §1). */
const UNPREFIXED_ROUTES = [
  { path: 'health', method: RequestMethod.GET },
  { path: 'health/live', method: RequestMethod.GET },
  { path: 'health/ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
  { path: '.well-known/jwks.json', method: RequestMethod.GET },
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
  app.set('trust proxy', config.http.trustProxy);
  // The id first, so that every response, including a 413 or a 415, carries it.
  app.use(requestIdMiddleware);
  // Where every response ends (audit, metrics, access log), 413s and 404s included.
  app.use(app.get(RequestObserver).middleware);
  app.use(securityHeaders);
  app.enableCors(corsOptions(config));
  app.use(requireJsonBody);
  app.use(
    jsonBodyParser({
      limit: config.http.bodyLimitBytes,
      largeLimit: config.http.ingestBodyLimitBytes,
      largeBodyPaths: INGEST_PATHS,
    }),
  );
  app.use(expressErrorHandler);

  app.setGlobalPrefix('api', { exclude: UNPREFIXED_ROUTES });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  setupOpenApi(app, version);
  return app;
}
