import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { withTimeout } from '@app/common';
import { RedisService } from '@app/redis';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { ConsumeResult, LimitName, RateLimitRule } from './rate-limit.types';
import { RedisRateLimitStore } from './redis-rate-limit.store';

/** Emitted when limiting switches between Redis and per-instance memory (`{ backend }`). */
export const RATE_LIMIT_BACKEND_EVENT = 'rate_limit.backend';

/** A Redis that takes longer than this to answer is treated as down for this request. */
const REDIS_TIMEOUT_MS = 250;
/** After a failure, requests skip Redis this long instead of each paying the timeout. */
const REDIS_RETRY_MS = 1000;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttler storage: Redis when REDIS_URL is set (one limit across replicas), memory
 * otherwise. While Redis does not answer, limiting continues per instance in memory instead
 * of failing requests; the switch is logged once each way.
 */
@Injectable()
export class RateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly memory = new MemoryRateLimitStore();
  private readonly redisStore?: RedisRateLimitStore;
  private degraded = false;
  private retryRedisAt = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly events: EventEmitter2,
  ) {
    if (redis.client) this.redisStore = new RedisRateLimitStore(redis.client, redis.keyPrefix);
  }

  /** Which store answers right now. */
  get backend(): 'redis' | 'memory' {
    return this.redisStore && !this.degraded ? 'redis' : 'memory';
  }

  async consume(tracker: string, rules: readonly RateLimitRule[]): Promise<ConsumeResult> {
    const client = this.redis.client;
    if (!this.redisStore || !client) return this.memory.consume(tracker, rules);
    if (client.status !== 'ready') {
      this.fallBack(`Redis connection ${client.status}`);
      return this.memory.consume(tracker, rules);
    }
    if (this.degraded && Date.now() < this.retryRedisAt) return this.memory.consume(tracker, rules);
    try {
      const result = await withTimeout(this.redisStore.consume(tracker, rules), REDIS_TIMEOUT_MS);
      this.recover();
      return result;
    } catch (error) {
      this.fallBack(error instanceof Error ? error.message : String(error));
      this.retryRedisAt = Date.now() + REDIS_RETRY_MS;
      return this.memory.consume(tracker, rules);
    }
  }

  /**
   * `ThrottlerStorage` compatibility for a stock `ThrottlerGuard`: one limit at a time. The
   * edge guard does not use it (it needs every limit decided in one step).
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const rule: RateLimitRule = { name: throttlerName as LimitName, limit, windowMs: ttl, blockMs: blockDuration };
    const result = await this.consume(key, [rule]);
    if (result.allowed) {
      const window = result.windows[0];
      return {
        totalHits: window.count,
        timeToExpire: Math.ceil(window.resetMs / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    }
    return {
      totalHits: limit + 1,
      timeToExpire: Math.ceil(result.retryAfterMs / 1000),
      isBlocked: true,
      timeToBlockExpire: Math.ceil(result.retryAfterMs / 1000),
    };
  }

  onApplicationShutdown(): void {
    this.memory.close();
  }

  private fallBack(reason: string): void {
    if (!this.degraded) {
      this.degraded = true;
      this.logger.warn(`Rate limiting falls back to per-instance memory (${reason})`);
      this.events.emit(RATE_LIMIT_BACKEND_EVENT, { backend: 'memory' });
    }
  }

  private recover(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log('Rate limiting is back on Redis');
    this.events.emit(RATE_LIMIT_BACKEND_EVENT, { backend: 'redis' });
  }
}
