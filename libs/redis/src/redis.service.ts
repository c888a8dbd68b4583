import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { withTimeout } from '@app/common';
import { AppConfig } from '@app/config';
import Redis, { type RedisOptions } from 'ioredis';
import { DegradableRedis, type DegradableRedisOptions, type RedisFallbackTransition } from './degradable-redis';

/**
 * The one place that opens Redis connections (`REDIS_URL`). Features take the shared
 * client for commands and ask for a dedicated one only where Redis demands it
 * (a pub/sub subscriber). Without REDIS_URL `client` is undefined and each feature uses its
 * in-memory fallback. Every connection opened here is closed on shutdown.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client?: Redis;
  private readonly connections: Redis[] = [];
  private lastState: 'up' | 'down' | undefined;

  constructor(private readonly config: AppConfig) {
    if (config.redis.url) this.client = this.open('main');
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  /** Prefix for every key a feature writes, so several deployments (or test runs) can share one Redis. */
  get keyPrefix(): string {
    return this.config.redis.keyPrefix;
  }

  /** A dedicated connection (a subscriber cannot issue ordinary commands). Undefined without Redis. */
  createConnection(name: string): Redis | undefined {
    return this.config.redis.url ? this.open(name) : undefined;
  }

  /**
   * The shared client wrapped for one feature that must degrade, not fail, while Redis is down
   * (bounded wait, fallback, one log line and metric per transition). Without REDIS_URL every
   * call takes the fallback.
   */
  degradable(
    feature: string,
    options?: DegradableRedisOptions,
    onTransition?: (transition: RedisFallbackTransition) => void,
  ): DegradableRedis {
    return new DegradableRedis(feature, this.client, options, onTransition);
  }

  /** Round-trip time of a PING in ms; rejects when Redis does not answer within `timeoutMs`. */
  async ping(timeoutMs = 1000): Promise<number> {
    if (!this.client) throw new Error('Redis is not configured');
    const started = performance.now();
    await withTimeout(this.client.ping(), timeoutMs);
    return performance.now() - started;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.connections.map(async (connection) => {
        try {
          await connection.quit();
        } catch {
          connection.disconnect();
        }
      }),
    );
  }

  private open(name: string): Redis {
    const options: RedisOptions = {
      connectionName: `transparency-api:${name}`,
      // Fail commands at once while disconnected: callers degrade (memory, no cache)
      // instead of queueing requests behind a dead Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // A Redis that keeps the connection but stops answering (a partition) would otherwise hold
      // every command, and the request behind it, forever: fail it so the caller degrades.
      commandTimeout: 1000,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    };
    const connection = new Redis(this.config.redis.url as string, options);
    connection.on('ready', () => this.transition('up', name));
    connection.on('error', (error: Error) => this.transition('down', name, error));
    this.connections.push(connection);
    return connection;
  }

  private transition(state: 'up' | 'down', name: string, error?: Error): void {
    if (state === this.lastState) return;
    this.lastState = state;
    if (state === 'up') this.logger.log(`Redis connection "${name}" ready`);
    else
      this.logger.warn(`Redis unavailable (${error?.message ?? 'disconnected'}); features fall back until it returns`);
  }
}
