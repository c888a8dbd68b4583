import type { AppConfig } from '@app/config';
import type { RateLimitRule } from './rate-limit.types';

/** Burst per second, per minute, per hour; burst and minute share a block duration (docs/configuration.md). */
export function rateLimitRules(config: AppConfig): RateLimitRule[] {
  const { burst, perMinute, perHour, blockSeconds, hourBlockSeconds } = config.rateLimit;
  return [
    { name: 'burst', limit: burst, windowMs: 1000, blockMs: blockSeconds * 1000 },
    { name: 'minute', limit: perMinute, windowMs: 60_000, blockMs: blockSeconds * 1000 },
    { name: 'hour', limit: perHour, windowMs: 3_600_000, blockMs: hourBlockSeconds * 1000 },
  ];
}
