import { type NestApplicationOptions, RequestMethod, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import {
  expressErrorHandler,
  jsonBodyParser,
  REQUEST_ID_HEADER,
  requestIdMiddleware,
  requireJsonBody,
} from '@app/common';
import type { AppConfig } from '@app/config';
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

const apiHelmet = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
});

// Swagger UI runs scripts and styles from our own origin (swagger-ui-dist), nothing remote.
const docsHelmet = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  const isDocs = req.path === '/docs' || req.path.startsWith('/docs/') || req.path.startsWith('/docs-');
  (isDocs ? docsHelmet : apiHelmet)(req, res, next);
}

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
  app.use(securityHeaders);
  app.enableCors({
    origin: config.http.corsOrigins.includes('*') ? true : [...config.http.corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', REQUEST_ID_HEADER, 'traceparent'],
    exposedHeaders: [REQUEST_ID_HEADER, 'Retry-After', 'ETag', 'X-Cache'],
    maxAge: 600,
  });
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
