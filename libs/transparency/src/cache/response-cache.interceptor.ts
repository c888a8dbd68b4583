import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type Type,
  type ValidationPipe,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import { BoundedMap, createValidationPipe } from '@app/common';
import { routeTemplate } from '@app/observability';
import { CACHED_READ_KEY, type CachedReadOptions } from './cached-read-options';
import { normaliseQuery, TransparencyCache } from './transparency-cache.service';

/** Raw queries already validated, mapped to their normalised form (bounded like the memory store). */
const VALIDATED_QUERIES_MAX = 10_000;

interface RouteArg {
  index: number;
  data?: unknown;
}

/** `If-None-Match` is a list of ETags (or `*`), compared weakly (RFC 9110 §13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return header.split(',').some((candidate) => {
    const value = candidate.trim();
    return value === '*' || (value.startsWith('W/') ? value.slice(2) : value) === opaque;
  });
}

/** Raw query entries in key order: a stable spelling of exactly what the client sent. */
function rawQuery(query: Request['query']): string {
  return JSON.stringify(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The response cache of `@CachedRead` routes (route-scoped: the decorator attaches it, so no
 * other request pays for an interceptor): `X-Cache`, a strong `ETag`, 304 on a matching
 * `If-None-Match`, and the stored JSON text sent as it is. Whether an answer may be stored by
 * others (`Cache-Control`) is `CacheControlGuard`'s decision, made for every route.
 *
 * Interceptors run before pipes, so the key cannot come from the handler's validated query: the
 * query is validated here with the same global pipe (a refused query is a 422 from here and
 * never reaches the cache), and the normalised result is remembered per raw query, so a repeated
 * query is not validated twice. Only queries that passed validation are ever looked up. A new
 * query's validated object replaces `req.query`, which the global pipe then passes through.
 */
@Injectable()
export class ResponseCacheInterceptor implements NestInterceptor {
  private readonly pipe: ValidationPipe = createValidationPipe();
  private readonly queryDtos = new WeakMap<object, Type | null>();
  private readonly validated = new BoundedMap<string, string>(VALIDATED_QUERIES_MAX);

  constructor(
    private readonly reflector: Reflector,
    private readonly cache: TransparencyCache,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const options = this.reflector.get<CachedReadOptions | undefined>(CACHED_READ_KEY, context.getHandler());
    if (!options) return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    return defer(() => this.serve(context, req, res, options, next));
  }

  private async serve(
    context: ExecutionContext,
    req: Request,
    res: Response,
    options: CachedReadOptions,
    next: CallHandler,
  ): Promise<string | undefined> {
    const route = routeTemplate(req) ?? req.path;
    const query = await this.normalisedQuery(context, req, route);
    const answer = await this.cache.read(
      { family: options.family, route, label: options.label, query, ttlSeconds: options.ttlSeconds },
      () => lastValueFrom(next.handle(), { defaultValue: undefined }),
    );
    res.setHeader('X-Cache', answer.hit ? 'HIT' : 'MISS');
    res.setHeader('ETag', answer.etag);
    if (etagMatches(req.headers['if-none-match'], answer.etag)) {
      res.status(304);
      return undefined;
    }
    // A string body is sent as it is (no JSON.stringify); the type says what it is.
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    return answer.body;
  }

  /** Path parameters as sent (their pipes run in the handler), the query as validated. */
  private async normalisedQuery(context: ExecutionContext, req: Request, route: string): Promise<string> {
    const params = normaliseQuery(req.params);
    const dto = this.queryDto(context);
    // No query DTO: unknown parameters are refused (StrictQueryGuard), so the raw query
    // stays in the key and a refused one can never match an entry.
    if (!dto) return `${params}|${rawQuery(req.query)}`;
    const raw = `${route}|${params}|${rawQuery(req.query)}`;
    const known = this.validated.get(raw);
    if (known !== undefined) return known;
    const value: unknown = await this.pipe.transform(req.query, { type: 'query', metatype: dto, data: undefined });
    // The handler's `@Query()` reads the validated object (Express 5 would parse the raw query
    // again), and the global pipe knows it: a miss validates its query once, not twice.
    Object.defineProperty(req, 'query', { value, configurable: true, enumerable: true, writable: true });
    const normalised = `${params}|${normaliseQuery(value as object)}`;
    this.validated.set(raw, normalised);
    return normalised;
  }

  /** The class of the handler's whole-object `@Query()` parameter, if it has one. */
  private queryDto(context: ExecutionContext): Type | undefined {
    const handler = context.getHandler();
    const known = this.queryDtos.get(handler);
    if (known !== undefined) return known ?? undefined;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<
      string,
      RouteArg
    >;
    const types = (Reflect.getMetadata('design:paramtypes', context.getClass().prototype as object, handler.name) ??
      []) as Type[];
    let dto: Type | null = null;
    for (const [key, arg] of Object.entries(args)) {
      if (Number(key.split(':')[0]) === (RouteParamtypes.QUERY as number) && arg.data === undefined) {
        dto = types[arg.index] ?? null;
      }
    }
    this.queryDtos.set(handler, dto);
    return dto ?? undefined;
  }
}
