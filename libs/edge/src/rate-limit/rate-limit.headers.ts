import type { ConsumeResult, RateLimitRule, WindowState } from './rate-limit.types';

/** Every header this module sets, for CORS `exposedHeaders`. */
export const RATE_LIMIT_HEADERS = [
  'RateLimit-Policy',
  'RateLimit',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
] as const;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/** The window closest to refusing: fewest requests left; on a tie, the one that resets last. */
export function nearestExhaustion(windows: readonly WindowState[]): WindowState {
  let nearest = windows[0];
  for (const window of windows.slice(1)) {
    const left = window.rule.limit - window.count;
    const nearestLeft = nearest.rule.limit - nearest.count;
    if (left < nearestLeft || (left === nearestLeft && window.resetMs > nearest.resetMs)) nearest = window;
  }
  return nearest;
}

/**
 * The response headers for one decision: `RateLimit-Policy` lists every policy and
 * `RateLimit` reports the window nearest exhaustion (IETF httpapi ratelimit-headers draft,
 * structured fields: `"name";q=quota;w=window` and `"name";r=remaining;t=reset`), mirrored in
 * the widespread `X-RateLimit-*` trio. A refusal adds `Retry-After`: the remaining block.
 */
export function rateLimitHeaders(rules: readonly RateLimitRule[], result: ConsumeResult): Record<string, string> {
  const policy = rules.map((rule) => `"${rule.name}";q=${rule.limit};w=${seconds(rule.windowMs)}`).join(', ');
  let name: string;
  let limit: number;
  let remaining: number;
  let reset: number;
  if (result.allowed) {
    const window = nearestExhaustion(result.windows);
    name = window.rule.name;
    limit = window.rule.limit;
    remaining = Math.max(0, window.rule.limit - window.count);
    reset = seconds(window.resetMs);
  } else {
    name = result.rule.name;
    limit = result.rule.limit;
    remaining = 0;
    reset = seconds(result.retryAfterMs);
  }
  const headers: Record<string, string> = {
    'RateLimit-Policy': policy,
    RateLimit: `"${name}";r=${remaining};t=${reset}`,
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset': String(reset),
  };
  if (!result.allowed) headers['Retry-After'] = String(reset);
  return headers;
}
