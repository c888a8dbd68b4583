import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/**
 * A Keyv store over the shared ioredis connection of RedisService, instead of the second
 * (node-redis) client `@keyv/redis` would open: one place opens Redis connections, shares
 * their key prefix, health reporting and shutdown, and fails fast while Redis is down
 * (offline queue off), which is what lets reads degrade to uncached.
 */
export class IoRedisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  namespace?: string;

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.client.get(this.prefix + key);
    return (value ?? undefined) as StoredData<Value> | undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const serialized = typeof value === 'string' ? value : JSON.stringify(value);
    if (ttl && ttl > 0) await this.client.set(this.prefix + key, serialized, 'PX', Math.ceil(ttl));
    else await this.client.set(this.prefix + key, serialized);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(this.prefix + key)) > 0;
  }

  /** Deletes this store's keys only (SCAN by prefix, never FLUSHDB: the Redis is shared). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await this.client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
