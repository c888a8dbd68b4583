export { DegradableRedis, type DegradableRedisOptions, type RedisFallbackTransition } from './degradable-redis';
export { RedisHealthIndicator } from './redis.health';
export { RedisModule } from './redis.module';
export { RedisService } from './redis.service';
