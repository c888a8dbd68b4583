import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { withTimeout } from '@app/common';
import { AppConfig } from '@app/config';
import { RedisService } from '@app/redis';

/** A slot not refreshed for this long is dropped: the safety net for a replica that died holding it. */
export const STREAM_SLOT_TTL_MS = 60_000;
const REFRESH_MS = STREAM_SLOT_TTL_MS / 3;
const REDIS_TIMEOUT_MS = 500;

/**
 * Drop expired slots, then take one if fewer than the limit are held: one atomic step, so
 * concurrent openings on several replicas cannot overshoot. A sorted set per client, scored
 * by expiry, members the stream ids.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/**
 * At most STREAM_MAX_PER_SUBJECT open streams per client (token subject, else IP). Counted in
 * Redis when configured, so the limit holds across replicas; in this process otherwise, or
 * while Redis is down (each replica then enforces it on its own streams).
 */
@Injectable()
export class StreamSlots implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Stream');
  private readonly local = new Map<string, Set<string>>();
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {}

  get max(): number {
    return this.config.stream.maxPerSubject;
  }

  onApplicationBootstrap(): void {
    this.refreshTimer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.refreshTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.refreshTimer);
  }

  /** Takes a slot for stream `id` of `client`; false when the client already holds the maximum. */
  async acquire(client: string, id: string): Promise<boolean> {
    const held = this.local.get(client) ?? new Set<string>();
    let granted: boolean;
    const redis = this.redis.client;
    try {
      if (!redis) throw new Error('not configured');
      const now = Date.now();
      const result = await withTimeout(
        redis.eval(ACQUIRE, 1, this.key(client), now, now + STREAM_SLOT_TTL_MS, this.max, id, STREAM_SLOT_TTL_MS),
        REDIS_TIMEOUT_MS,
      );
      granted = result === 1;
    } catch (error) {
      if (redis) this.logger.warn(`Stream slots counted locally (${(error as Error).message})`);
      granted = held.size < this.max;
    }
    if (granted) {
      held.add(id);
      this.local.set(client, held);
    }
    return granted;
  }

  release(client: string, id: string): void {
    const held = this.local.get(client);
    held?.delete(id);
    if (held?.size === 0) this.local.delete(client);
    const redis = this.redis.client;
    if (!redis) return;
    // Not awaited: the stream is gone either way, and a lost ZREM expires with the TTL.
    withTimeout(redis.zrem(this.key(client), id), REDIS_TIMEOUT_MS).catch(() => undefined);
  }

  /** Pushes the expiry of this replica's slots forward, so only a dead replica's slots lapse. */
  private async refresh(): Promise<void> {
    const redis = this.redis.client;
    if (!redis || this.local.size === 0) return;
    const expiry = Date.now() + STREAM_SLOT_TTL_MS;
    const pipeline = redis.pipeline();
    for (const [client, ids] of this.local) {
      const key = this.key(client);
      // XX: never re-adds a slot released meanwhile.
      for (const id of ids) pipeline.zadd(key, 'XX', expiry, id);
      pipeline.pexpire(key, STREAM_SLOT_TTL_MS);
    }
    try {
      await withTimeout(pipeline.exec(), REDIS_TIMEOUT_MS * 2);
    } catch (error) {
      this.logger.warn(`Stream slots not refreshed (${(error as Error).message})`);
    }
  }

  private key(client: string): string {
    return `${this.redis.keyPrefix}stream:slots:${client}`;
  }
}
