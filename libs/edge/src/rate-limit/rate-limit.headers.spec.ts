import { nearestExhaustion, rateLimitHeaders } from './rate-limit.headers';
import type { RateLimitRule } from './rate-limit.types';

const [burst, minute, hour]: RateLimitRule[] = [
  { name: 'burst', limit: 10, windowMs: 1000, blockMs: 60_000 },
  { name: 'minute', limit: 60, windowMs: 60_000, blockMs: 60_000 },
  { name: 'hour', limit: 1000, windowMs: 3_600_000, blockMs: 3_600_000 },
];
const rules = [burst, minute, hour];

describe('rate-limit headers', () => {
  it('reports the window with the fewest requests left, as IETF draft fields and X-RateLimit-*', () => {
    const headers = rateLimitHeaders(rules, {
      allowed: true,
      windows: [
        { rule: burst, count: 2, resetMs: 800 },
        { rule: minute, count: 58, resetMs: 41_200 },
        { rule: hour, count: 58, resetMs: 3_000_000 },
      ],
    });
    expect(headers).toEqual({
      'RateLimit-Policy': '"burst";q=10;w=1, "minute";q=60;w=60, "hour";q=1000;w=3600',
      RateLimit: '"minute";r=2;t=42',
      'X-RateLimit-Limit': '60',
      'X-RateLimit-Remaining': '2',
      'X-RateLimit-Reset': '42',
    });
  });

  it('breaks ties by the window that resets last', () => {
    const tied = nearestExhaustion([
      { rule: { ...burst, limit: 5 }, count: 0, resetMs: 1000 },
      { rule: { ...minute, limit: 5 }, count: 0, resetMs: 60_000 },
    ]);
    expect(tied.rule.name).toBe('minute');
  });

  it('gives a refusal Retry-After equal to the remaining block, rounded up', () => {
    const headers = rateLimitHeaders(rules, { allowed: false, rule: hour, retryAfterMs: 3_599_001 });
    expect(headers).toMatchObject({
      RateLimit: '"hour";r=0;t=3600',
      'X-RateLimit-Limit': '1000',
      'X-RateLimit-Remaining': '0',
      'Retry-After': '3600',
    });
  });
});
