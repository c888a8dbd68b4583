import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { RedisService } from '@app/redis';
import { Keyv } from 'keyv';
import { BoundedMap } from './bounded-map';
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
        // Redis holds strings: plain JSON, since cached answers hold no Buffers or BigInts and
        // Keyv's default serializer (a reviver on every value) costs 4x JSON.parse on a 16 KB
        // trades page. The in-process map keeps the objects themselves: nothing to decode.
        const codec = redis.client
          ? { serialize: JSON.stringify, deserialize: JSON.parse }
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
