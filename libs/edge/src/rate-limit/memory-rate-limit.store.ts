import type { ConsumeResult, RateLimitRule, RateLimitStore, WindowState } from './rate-limit.types';

interface Counter {
  count: number;
  expiresAt: number;
}

/**
 * Fixed-window counters in this process: the store without REDIS_URL, and the fallback
 * while Redis does not answer. Same semantics as the Redis script (see redis-rate-limit.store.ts).
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters = new Map<string, Counter>();
  private readonly blocks = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    sweepIntervalMs = 60_000,
  ) {
    // Idle clients' entries would otherwise stay forever; the sweep bounds memory to active clients.
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  consume(tracker: string, rules: readonly RateLimitRule[]): Promise<ConsumeResult> {
    return Promise.resolve(this.consumeSync(tracker, rules));
  }

  consumeSync(tracker: string, rules: readonly RateLimitRule[]): ConsumeResult {
    const now = this.now();
    let blockedBy: RateLimitRule | undefined;
    let blockedFor = 0;
    for (const rule of rules) {
      const until = this.blocks.get(`${tracker}|${rule.name}`) ?? 0;
      if (until - now > blockedFor) {
        blockedFor = until - now;
        blockedBy = rule;
      }
    }
    if (blockedBy) return { allowed: false, rule: blockedBy, retryAfterMs: blockedFor };

    const current = rules.map((rule) => {
      const counter = this.counters.get(`${tracker}|${rule.name}`);
      return counter && counter.expiresAt > now
        ? { rule, count: counter.count, resetMs: counter.expiresAt - now }
        : { rule, count: 0, resetMs: rule.windowMs };
    });
    const exceeded = current.filter(({ rule, count }) => count + 1 > rule.limit);
    if (exceeded.length > 0) {
      let worst = exceeded[0];
      let worstMs = 0;
      for (const state of exceeded) {
        const wait = state.rule.blockMs > 0 ? state.rule.blockMs : state.resetMs;
        if (state.rule.blockMs > 0) {
          this.blocks.set(`${tracker}|${state.rule.name}`, now + state.rule.blockMs);
          // The block replaces the rest of the window: the client starts afresh when it ends.
          this.counters.delete(`${tracker}|${state.rule.name}`);
        }
        if (wait > worstMs) {
          worstMs = wait;
          worst = state;
        }
      }
      return { allowed: false, rule: worst.rule, retryAfterMs: worstMs };
    }

    const windows: WindowState[] = current.map(({ rule, count, resetMs }) => {
      const key = `${tracker}|${rule.name}`;
      const counter = count === 0 ? { count: 1, expiresAt: now + rule.windowMs } : this.counters.get(key)!;
      if (count === 0) this.counters.set(key, counter);
      else counter.count += 1;
      return { rule, count: counter.count, resetMs };
    });
    return { allowed: true, windows };
  }

  /** Drops expired counters and blocks. */
  sweep(): void {
    const now = this.now();
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    for (const [key, until] of this.blocks) if (until <= now) this.blocks.delete(key);
  }

  get size(): number {
    return this.counters.size + this.blocks.size;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.counters.clear();
    this.blocks.clear();
  }
}
