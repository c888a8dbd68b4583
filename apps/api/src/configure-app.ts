import { type NestApplicationOptions, RequestMethod, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  expressErrorHandler,
  isOperationalRequest,
  requestIdMiddleware,
  requestPath,
  UNMATCHED_ROUTE_PREFIX_EXCLUSION,
} from '@app/common';
import type { AppConfig } from '@app/config';
import { admissionControl, corsOptions, securityHeaders } from '@app/edge';
import { RequestObserver } from '@app/observability';
import { setupOpenApi } from './openapi';

/**
 * Options for `NestFactory.create` / `createNestApplication`: Nest's own body parser is off.
 * Bodies are read by `JsonBodyGuard`, after the auth and rate-limit guards, so the bearer token is
 * verified and the rate limit decided before a byte of the body is read (docs/security.md).
 */
export const NEST_APP_OPTIONS: NestApplicationOptions = { bodyParser: false, abortOnError: false };

/**
 * Requests worked on at once; the rest wait their turn (`admissionControl`), and past
 * ADMISSION_QUEUE_MAX waiting new requests get 503 + Retry-After. Two overloads pull the limit
 * apart (docs/benchmarks.md, "Connection storms"):
 * - Slow requests (uncached lists waiting on Postgres) hold their places, and cheap ones queue
 *   behind them. With the machine saturated by uncached lists, a cached read's median latency
 *   was 29-43 ms with 64 places, 41-43 ms with 32 and 55-81 ms with 16.
 * - libuv (since 1.45, Node 20) accepts one new connection per loop iteration, and an iteration
 *   runs the ready work of every request in flight. With 64 places, a storm of 1,000 new
 *   connections on two cores waited in the kernel's accept queue until clients timed out after
 *   10 s, in 7 runs of 12, although the process answered every request it had accepted within
 *   0.5 s. With 16, the storm was accepted within 2 s.
 * So 64 places, and 16 while new connections arrive in a burst (CONNECTION_STORM). Never fewer
 * than the database pool (`DB_POOL_MAX`), so a larger pool can be used.
 */
const ADMISSION_LIMIT = 64;
const ADMISSION_QUEUE_MAX = 10_000;
/**
 * A burst: 10 new connections within half a second. With 64 places on a busy loop the server
 * still accepts 25-50 a second, so a storm is seen even when it arrives under load; clients that
 * keep their connections alive open far fewer.
 */
const CONNECTION_STORM = { limit: 16, connections: 10, windowMs: 500, holdMs: 2000 };

/** Admission places for this configuration: the normal limit, and the limit during a connection storm. */
export function admissionLimits(config: AppConfig): { limit: number; stormLimit: number } {
  const pool = config.database.poolMax;
  return { limit: Math.max(ADMISSION_LIMIT, pool), stormLimit: Math.max(CONNECTION_STORM.limit, pool) };
}

/** A live stream holds its request for as long as it is open: it must not hold a place. */
const STREAM_PATH = /^\/api\/v\d+\/stream\/?$/i;
const isStream = (req: Parameters<typeof requestPath>[0]): boolean => STREAM_PATH.test(requestPath(req));

/** Operational routes that live outside `/api` and outside URI versioning (docs/api-guide.md). */
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
  // Past the observer (a request waiting in line is still audited and measured, its wait
  // included), before any other work: health probes, scrapes and live streams never wait.
  const limits = admissionLimits(config);
  const admission = admissionControl(
    limits.limit,
    ADMISSION_QUEUE_MAX,
    (req) => isOperationalRequest(req) || isStream(req),
    { ...CONNECTION_STORM, limit: limits.stormLimit },
  );
  app.use(admission);
  app.getHttpServer().on('connection', admission.connectionAccepted);
  app.use(securityHeaders);
  app.enableCors(corsOptions(config));
  // What fails in Express itself before Nest (a path that cannot be decoded) as problem+json.
  app.use(expressErrorHandler);

  app.setGlobalPrefix('api', { exclude: UNPREFIXED_ROUTES });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  setupOpenApi(app, version);
  return app;
}
