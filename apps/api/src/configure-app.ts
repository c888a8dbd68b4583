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
 * Requests worked on at once; the rest wait their turn (`admissionControl`). A compromise
 * between two overloads (docs/benchmarks.md, "Connection storms"):
 * - Fewer places make the event loop come round more often. libuv (since 1.45, Node 20)
 *   accepts one new connection per loop iteration, and an iteration runs every reply that is
 *   ready, so the more requests in flight, the longer it is. With 64, a storm of 1,000 new
 *   connections on two cores waited in the kernel's accept queue long enough for clients to
 *   time out after 10 s, in 7 runs of 12, although the process answered every request it had
 *   accepted within 0.5 s. With 32: none in 6 runs; with 16: none in 7.
 * - More places keep cheap requests from queueing behind slow ones. With uncached lists
 *   saturating the machine, a cached read's median latency was 32-43 ms with 64 places,
 *   41-43 ms with 32 and 55-78 ms with 16.
 * At 50 connections of one kind, 16 and 64 gave the same req/s and p99. Never fewer than the
 * database pool (`DB_POOL_MAX`), so a larger pool can be used. Past ADMISSION_QUEUE_MAX
 * waiting, new requests get 503 + Retry-After.
 */
const ADMISSION_LIMIT = 32;
const ADMISSION_QUEUE_MAX = 10_000;
/** The admission limit for this configuration: ADMISSION_LIMIT, or the database pool if larger. */
export function admissionLimit(config: AppConfig): number {
  return Math.max(ADMISSION_LIMIT, config.database.poolMax);
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
  app.use(
    admissionControl(admissionLimit(config), ADMISSION_QUEUE_MAX, (req) => isOperationalRequest(req) || isStream(req)),
  );
  app.use(securityHeaders);
  app.enableCors(corsOptions(config));
  // What fails in Express itself before Nest (a path that cannot be decoded) as problem+json.
  app.use(expressErrorHandler);

  app.setGlobalPrefix('api', { exclude: UNPREFIXED_ROUTES });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  setupOpenApi(app, version);
  return app;
}
