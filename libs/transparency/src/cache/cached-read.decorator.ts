import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiCachedRead } from '../shared/api-responses';
import { CACHE_TTL_SECONDS, type CacheFamily } from './cache-families';
import { CACHED_READ_KEY, type CachedReadOptions } from './cached-read-options';
import { ResponseCacheInterceptor } from './response-cache.interceptor';

/**
 * Serves the route through the response cache (docs/architecture.md, "Response caching"):
 * `ResponseCacheInterceptor` keys it by route template and normalised parameters and query, sets
 * `X-Cache` and `ETag`, answers 304, and the family's writes invalidate it. The TTL is the family's
 * unless given. Documents the cache contract in OpenAPI too, so caching and its documentation are
 * one line.
 */
export const CachedRead = (
  family: CacheFamily,
  label: string,
  ttlSeconds: number = CACHE_TTL_SECONDS[family],
): MethodDecorator =>
  applyDecorators(
    SetMetadata(CACHED_READ_KEY, { family, label, ttlSeconds } satisfies CachedReadOptions),
    UseInterceptors(ResponseCacheInterceptor),
    ApiCachedRead(),
  );
