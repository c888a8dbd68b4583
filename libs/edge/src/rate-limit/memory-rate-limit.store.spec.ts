import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { RateLimitRule } from './rate-limit.types';

const rules: RateLimitRule[] = [
  { name: 'burst', limit: 3, windowMs: 1000, blockMs: 5000 },
  { name: 'minute', limit: 5, windowMs: 60_000, blockMs: 5000 },
  { name: 'hour', limit: 100, windowMs: 3_600_000, blockMs: 60_000 },
];

describe('MemoryRateLimitStore', () => {
  let now: number;
  let store: MemoryRateLimitStore;
  beforeEach(() => {
    now = 1_000_000;
    store = new MemoryRateLimitStore(() => now);
  });
  afterEach(() => store.close());

  it('accepts up to the limit and refuses the next request with the block as retry time', () => {
    for (let i = 1; i <= 3; i++) {
      const result = store.consumeSync('a', rules);
      expect(result).toMatchObject({ allowed: true });
      if (result.allowed) expect(result.windows.map((w) => w.count)).toEqual([i, i, i]);
    }
    expect(store.consumeSync('a', rules)).toEqual({ allowed: false, rule: rules[0], retryAfterMs: 5000 });
    now += 2000;
    expect(store.consumeSync('a', rules)).toEqual({ allowed: false, rule: rules[0], retryAfterMs: 3000 });
  });

  it('counts a refused request in no limit', () => {
    for (let i = 0; i < 3; i++) store.consumeSync('a', rules);
    for (let i = 0; i < 10; i++) expect(store.consumeSync('a', rules).allowed).toBe(false);
    now += 5000;
    const after = store.consumeSync('a', rules);
    expect(after.allowed).toBe(true);
    // Minute and hour saw the three accepted requests and this one, none of the eleven refusals.
    if (after.allowed) expect(after.windows.map((w) => w.count)).toEqual([1, 4, 4]);
  });

  it('keys by tracker, so one client does not consume another one`s quota', () => {
    for (let i = 0; i < 3; i++) store.consumeSync('a', rules);
    expect(store.consumeSync('a', rules).allowed).toBe(false);
    expect(store.consumeSync('b', rules).allowed).toBe(true);
  });

  it('without a block duration, refuses until the window ends', () => {
    const noBlock: RateLimitRule[] = [{ name: 'burst', limit: 1, windowMs: 1000, blockMs: 0 }];
    store.consumeSync('a', noBlock);
    now += 400;
    expect(store.consumeSync('a', noBlock)).toEqual({ allowed: false, rule: noBlock[0], retryAfterMs: 600 });
    now += 600;
    expect(store.consumeSync('a', noBlock).allowed).toBe(true);
  });

  it('forgets expired counters and blocks when sweeping', () => {
    for (let i = 0; i < 4; i++) store.consumeSync('a', rules);
    expect(store.size).toBeGreaterThan(0);
    now += 3_600_000;
    store.sweep();
    expect(store.size).toBe(0);
  });
});
