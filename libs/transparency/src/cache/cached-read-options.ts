import type { CacheFamily } from './cache-families';

export const CACHED_READ_KEY = 'transparency:cached-read';

export interface CachedReadOptions {
  family: CacheFamily;
  /** The route's name in the `cache.lookup` event and the cache metrics. */
  label: string;
  ttlSeconds: number;
}
