/**
 * Cached read routes come in families; a write bumps the version of exactly the families
 * whose answers it can change (TTLs as in docs/api-guide.md, "Caching"; `ai` and `positions`
 * follow the portfolio's).
 */
export const CACHE_TTL_SECONDS = {
  portfolio: 60,
  positions: 60,
  trades: 30,
  performance: 300,
  ai: 60,
  backtests: 3600,
} as const;

export type CacheFamily = keyof typeof CACHE_TTL_SECONDS;

/** Which families each kind of write invalidates. */
export const INVALIDATES = {
  trades: ['trades', 'performance'],
  snapshots: ['portfolio', 'performance'],
  positions: ['positions', 'portfolio'],
  ai: ['ai'],
  backtests: ['backtests'],
} as const satisfies Record<string, readonly CacheFamily[]>;

export const CACHE_LOOKUP_EVENT = 'cache.lookup';

export interface CacheLookupEvent {
  route: string;
  result: 'hit' | 'miss';
}
