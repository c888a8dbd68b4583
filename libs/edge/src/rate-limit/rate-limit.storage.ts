import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AppEventBus } from '@app/common';
import { type DegradableRedis, RedisService } from '@app/redis';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { ConsumeResult, RateLimitRule } from './rate-limit.types';
import { RedisRateLimitStore } from './redis-rate-limit.store';

/**
 * The throttler storage: Redis when REDIS_URL is set (one limit across replicas), memory
 * otherwise. While Redis does not answer, limiting continues per instance in memory instead
 * of failing requests; the switch is logged once each way.
 */
@Injectable()
export class RateLimitStorage implements OnApplicationShutdown {
  private readonly memory = new MemoryRateLimitStore();
  private readonly redisStore?: RedisRateLimitStore;
  private readonly redis: DegradableRedis;

  constructor(redis: RedisService, events: AppEventBus) {
    if (redis.client) this.redisStore = new RedisRateLimitStore(redis.client, redis.keyPrefix);
    this.redis = redis.degradable('rate_limit', {}, ({ state }) =>
      events.emit('rate_limit.backend', { backend: state === 'degraded' ? 'memory' : 'redis' }),
    );
  }

  /** Which store answers right now. */
  get backend(): 'redis' | 'memory' {
    return this.redisStore && !this.redis.isDegraded ? 'redis' : 'memory';
  }

  /** Redis when it answers in time, else this instance's memory (logged once each way). */
  consume(tracker: string, rules: readonly RateLimitRule[]): Promise<ConsumeResult> {
    const store = this.redisStore;
    if (!store) return this.memory.consume(tracker, rules);
    return this.redis.run(
      () => store.consume(tracker, rules),
      () => this.memory.consume(tracker, rules),
    );
  }

  onApplicationShutdown(): void {
    this.memory.close();
  }
}
