import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import { json, type Request, type RequestHandler, type Response } from 'express';
import { AppConfig } from '@app/config';
import { INGEST_BODY_KEY } from '../auth/ingest';
import { hasScopes } from '../auth/scopes';
import { ApiProblemException } from '../problem/api-problem.exception';
import { PROBLEM_TYPES } from '../problem/problem-details';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth';

const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** body-parser's error shape (status + type), which `problemFromError` maps to problem+json. */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
  constructor() {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return (
    mediaType === 'application/json' || (mediaType?.startsWith('application/') === true && mediaType.endsWith('+json'))
  );
}

/** Runs between reading and parsing: the depth check sees the raw text, before JSON.parse. */
function checkDepth(_req: unknown, _res: unknown, body: Buffer, encoding: string | null): void {
  let utf8: Uint8Array = body;
  if (encoding !== null && encoding !== 'utf-8' && encoding !== 'utf8') {
    // Other UTF encodings are re-encoded so the byte scan stays exact (body-parser decodes
    // them the same way before parsing).
    utf8 = Buffer.from(new TextDecoder(encoding).decode(body), 'utf8');
  }
  if (exceedsJsonDepth(utf8)) throw new JsonTooDeepError();
}

const UNSUPPORTED_MEDIA_TYPE = {
  status: 415,
  type: PROBLEM_TYPES.unsupportedMediaType,
  detail: 'Request bodies must be JSON (Content-Type: application/json).',
};

/**
 * The request body, read after authentication and the rate limit (docs/security.md): the global guard
 * registered right after the scopes guard, so a throttled client (429) or an anonymous caller
 * of a protected route (401) is answered without its body being read, and a malformed body from
 * them is still 429/401. A guard rather than an interceptor because guards are the cheapest
 * per-request hook Nest has after them (one await); the first global interceptor alone put an
 * rxjs pipeline on every request (docs/benchmarks.md).
 *
 * Nest's own parser is off (`bodyParser: false`). Only handlers that take a `@Body()` read one;
 * for them: 415 for a non-JSON body (Express's parser would silently skip it, turning
 * `text/plain` into an empty DTO and a misleading 422), 413 past the limit, 400 for JSON nested
 * deeper than 32 levels (checked before parsing) or malformed, then `req.body` is set before the
 * pipes run. The limit is BODY_LIMIT, or INGEST_BODY_LIMIT on `@IngestBody()` routes for a
 * caller holding `transparency:write`. It never refuses otherwise.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  private readonly standard: RequestHandler;
  private readonly ingest: RequestHandler;
  private readonly routes = new WeakMap<object, { readsBody: boolean; ingest: boolean }>();

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    const options = { type: JSON_MEDIA_TYPES, strict: true, verify: checkDepth };
    this.standard = json({ ...options, limit: config.http.bodyLimitBytes });
    this.ingest = json({ ...options, limit: config.http.ingestBodyLimitBytes });
  }

  canActivate(context: ExecutionContext): true | Promise<true> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!hasBody(req)) return true;
    const route = this.route(context);
    // A handler that takes no body never needs its bytes (an unknown route's fallback included).
    if (!route.readsBody) return true;
    if (!isJson(req.headers['content-type'])) throw new ApiProblemException(UNSUPPORTED_MEDIA_TYPE);
    const writer = req.principal !== undefined && hasScopes(req.principal.scopes, ['transparency:write']);
    const parser = route.ingest && writer ? this.ingest : this.standard;
    const res = context.switchToHttp().getResponse<Response>();
    return new Promise<true>((resolve, reject) => {
      // body-parser reports its refusals (400, 413, 415) as errors with a status and a type.
      parser(req, res, (error?: unknown) => {
        if (!error) resolve(true);
        else reject(error instanceof Error ? error : new Error('The request body could not be read.'));
      });
    });
  }

  /** Per handler, computed once: does it take a `@Body()`, and is it an ingest route? */
  private route(context: ExecutionContext): { readsBody: boolean; ingest: boolean } {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<
        string,
        unknown
      >;
      route = {
        readsBody: Object.keys(args).some((key) => Number(key.split(':')[0]) === (RouteParamtypes.BODY as number)),
        ingest: this.reflector.get<boolean | undefined>(INGEST_BODY_KEY, handler) === true,
      };
      this.routes.set(handler, route);
    }
    return route;
  }
}
