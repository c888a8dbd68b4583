/** The three limits (docs/security.md), in the order they are checked and reported. */
export const LIMIT_NAMES = ['burst', 'minute', 'hour'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** One limit: at most `limit` requests per `windowMs`; exceeding it blocks the client for `blockMs`. */
export interface RateLimitRule {
  name: LimitName;
  limit: number;
  windowMs: number;
  /** 0: no block, the client waits for the window to end. */
  blockMs: number;
}

/** A window's state after an accepted request. */
export interface WindowState {
  rule: RateLimitRule;
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Time until the window resets. */
  resetMs: number;
}

/**
 * The outcome of one request against every limit at once. A refused request is counted in
 * none of them: it only starts (or reports) the block of the limit it exceeded.
 */
export type ConsumeResult =
  { allowed: true; windows: WindowState[] } | { allowed: false; rule: RateLimitRule; retryAfterMs: number };

/** Where the counters live: Redis (shared by every replica) or this process. */
export interface RateLimitStore {
  consume(tracker: string, rules: readonly RateLimitRule[]): Promise<ConsumeResult>;
}
