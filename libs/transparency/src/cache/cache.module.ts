import { CacheModule } from '@nestjs/cache-manager';
import { BoundedMap } from '@app/common';
import { Module } from '@nestjs/common';
import { RedisService } from '@app/redis';
import { type Deserialize, Keyv, type Serialize } from 'keyv';
import { IoRedisKeyvStore } from './ioredis-keyv.store';
import { TransparencyCache } from './transparency-cache.service';

const MEMORY_MAX_ENTRIES = 10_000;

/**
 * `@nestjs/cache-manager` over one Keyv store: Redis (through the shared ioredis client)
 * when REDIS_URL is set, a bounded in-process Map otherwise.
 */
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [RedisService],
      useFactory: (redis: RedisService) => {
        const store = redis.client
          ? new IoRedisKeyvStore(redis.client, `${redis.keyPrefix}tcache:`)
          : new BoundedMap<string, unknown>(MEMORY_MAX_ENTRIES);
        // Store errors are thrown, not swallowed: TransparencyCache turns a failed read into a
        // miss, and must know when an invalidation was not written (Keyv would answer false).
        // Every value is a string (a version token, or an entry's ETag and JSON text), and Redis
        // expires keys itself (PX), so Redis holds the value as is: no JSON wrapper to build on
        // a write or parse on a hit. The in-process map keeps Keyv's own record.
        const codec = redis.client
          ? {
              serialize: ((data) => String(data.value)) satisfies Serialize,
              // Every value this cache writes is a string, so the generic Value is one.
              deserialize: (<Value>(text: string) => ({ value: text as Value })) satisfies Deserialize,
            }
          : { serialize: undefined, deserialize: undefined };
        const keyv = new Keyv({ store, namespace: '', emitErrors: false, throwOnErrors: true, ...codec });
        return { stores: [keyv] };
      },
    }),
  ],
  providers: [TransparencyCache],
  exports: [TransparencyCache],
})
export class TransparencyCacheModule {}
