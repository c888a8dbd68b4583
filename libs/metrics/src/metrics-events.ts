/** Events other features emit (EventEmitter2) for the metrics of SPEC §7. */
export const METRIC_EVENTS = {
  /** `{ result: 'valid' | 'invalid' | 'expired' | 'revoked' | ... }` after a bearer token is checked. */
  tokenValidated: 'auth.token.validated',
  /** `{ route, result: 'hit' | 'miss' }` after a response-cache lookup. */
  cacheLookup: 'cache.lookup',
  /** `{ limit: 'burst' | 'minute' | 'hour' | ... }` when the throttler answers 429. */
  rateLimitExceeded: 'rate_limit.exceeded',
} as const;

export interface TokenValidatedEvent {
  result: string;
}
export interface CacheLookupEvent {
  route?: string;
  result: 'hit' | 'miss';
}
export interface RateLimitExceededEvent {
  limit: string;
}
