import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { RedisService } from './redis.service';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: RedisService,
    private readonly indicator: HealthIndicatorService,
  ) {}

  /** `undefined` when Redis is not configured (nothing to report). */
  async check(key = 'redis'): Promise<HealthIndicatorResult | undefined> {
    if (!this.redis.configured) return undefined;
    const session = this.indicator.check(key);
    try {
      const latency = await this.redis.ping();
      return session.up({ latency_ms: Math.round(latency * 10) / 10 });
    } catch (error) {
      return session.down({ message: error instanceof Error ? error.message : 'unavailable' });
    }
  }
}
