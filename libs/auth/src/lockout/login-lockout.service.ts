import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { withTimeout } from '@app/common';
import { AppConfig } from '@app/config';
import { RedisService } from '@app/redis';

export interface LockState {
  locked: boolean;
  /** Seconds until the lock lifts (0 when not locked). */
  retryAfterSeconds: number;
  scope?: 'pair' | 'ip';
}

/**
 * A Redis that takes longer than this to answer is treated as down for this login: without
 * it, a partitioned Redis (connected, silent) would hold every login until TCP gives up.
 */
const REDIS_TIMEOUT_MS = 250;
/** After a failure, logins skip Redis this long instead of each paying the timeout. */
const REDIS_RETRY_MS = 1000;

interface MemoryEntry {
  count: number;
  expiresAt: number;
}

/**
 * Failed-login limits of SPEC §3: a (username, IP) pair locks after `threshold` failures
 * within the window, an IP after `ipThreshold` failures across usernames; each lock lasts
 * the window. Counted in Redis when configured (limits hold across replicas), in memory
 * otherwise or while a Redis command fails.
 */
@Injectable()
export class LoginLockoutService {
  private readonly logger = new Logger('LoginLockout');
  private readonly memory = new Map<string, MemoryEntry>();
  private redisFailing = false;
  private retryRedisAt = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {}

  /**
   * Usernames are hashed into keys: they are caller input of any length and content. IPv6
   * clients are keyed by their /64 (as the rate limiter does): one host owns a whole /64, so
   * keying on the full address would let it rotate addresses past the IP lock.
   */
  private keys(
    username: string,
    rawIp: string,
  ): { pairCount: string; pairLock: string; ipCount: string; ipLock: string } {
    const user = createHash('sha256').update(username.toLowerCase()).digest('hex').slice(0, 32);
    const ip = normalizeIp(rawIp);
    const base = `${this.redis.keyPrefix}auth:login`;
    return {
      pairCount: `${base}:fail:${user}:${ip}`,
      pairLock: `${base}:lock:${user}:${ip}`,
      ipCount: `${base}:fail-ip:${ip}`,
      ipLock: `${base}:lock-ip:${ip}`,
    };
  }

  async check(username: string, ip: string): Promise<LockState> {
    const k = this.keys(username, ip);
    const [pair, ipLock] = await this.withFallback(
      async (client) => Promise.all([client.pttl(k.pairLock), client.pttl(k.ipLock)]),
      () => [this.memoryTtl(k.pairLock), this.memoryTtl(k.ipLock)],
    );
    const longest = Math.max(pair, ipLock);
    if (longest <= 0) return { locked: false, retryAfterSeconds: 0 };
    return {
      locked: true,
      retryAfterSeconds: Math.max(1, Math.ceil(longest / 1000)),
      scope: ipLock >= pair ? 'ip' : 'pair',
    };
  }

  /** Counts a failure; returns the lock it engaged, if this failure crossed a threshold. */
  async recordFailure(username: string, ip: string): Promise<LockState> {
    const { threshold, ipThreshold, windowSeconds } = this.config.loginLockout;
    const k = this.keys(username, ip);
    const [pairCount, ipCount] = await this.withFallback(
      async (client) => {
        const results = await client
          .multi()
          .incr(k.pairCount)
          .expire(k.pairCount, windowSeconds, 'NX')
          .incr(k.ipCount)
          .expire(k.ipCount, windowSeconds, 'NX')
          .exec();
        if (!results || results.some(([error]) => error)) throw new Error('MULTI failed');
        return [Number(results[0]?.[1]), Number(results[2]?.[1])];
      },
      () => [this.memoryIncr(k.pairCount, windowSeconds), this.memoryIncr(k.ipCount, windowSeconds)],
    );
    const lockPair = pairCount >= threshold;
    const lockIp = ipCount >= ipThreshold;
    if (!lockPair && !lockIp) return { locked: false, retryAfterSeconds: 0 };
    await this.withFallback(
      async (client) => {
        const multi = client.multi();
        // Locks are set once (NX): further failures while locked do not extend them.
        if (lockPair) multi.set(k.pairLock, '1', 'EX', windowSeconds, 'NX').del(k.pairCount);
        if (lockIp) multi.set(k.ipLock, '1', 'EX', windowSeconds, 'NX').del(k.ipCount);
        await multi.exec();
        return true;
      },
      () => {
        if (lockPair) this.memoryLock(k.pairLock, k.pairCount, windowSeconds);
        if (lockIp) this.memoryLock(k.ipLock, k.ipCount, windowSeconds);
        return true;
      },
    );
    return { locked: true, retryAfterSeconds: windowSeconds, scope: lockIp ? 'ip' : 'pair' };
  }

  /** A successful login clears that pair's failures (not the IP's: it may be guessing elsewhere). */
  async recordSuccess(username: string, ip: string): Promise<void> {
    const k = this.keys(username, ip);
    await this.withFallback(
      async (client) => {
        await client.del(k.pairCount);
        return true;
      },
      () => this.memory.delete(k.pairCount),
    );
  }

  private async withFallback<T>(
    viaRedis: (client: NonNullable<RedisService['client']>) => Promise<T>,
    inMemory: () => T,
  ): Promise<T> {
    const client = this.redis.client;
    if (!client) return inMemory();
    if (this.redisFailing && Date.now() < this.retryRedisAt) return inMemory();
    try {
      const result = await withTimeout(viaRedis(client), REDIS_TIMEOUT_MS);
      if (this.redisFailing) this.logger.log('Login failures counted in Redis again');
      this.redisFailing = false;
      return result;
    } catch (error) {
      if (!this.redisFailing) {
        this.logger.warn(`Redis unavailable for login lock-out (${(error as Error).message}); counting in memory`);
      }
      this.redisFailing = true;
      this.retryRedisAt = Date.now() + REDIS_RETRY_MS;
      return inMemory();
    }
  }

  private live(key: string): MemoryEntry | undefined {
    const entry = this.memory.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.memory.delete(key);
      return undefined;
    }
    return entry;
  }

  private memoryTtl(key: string): number {
    const entry = this.live(key);
    return entry ? entry.expiresAt - Date.now() : -2;
  }

  private memoryIncr(key: string, windowSeconds: number): number {
    this.sweep();
    const entry = this.live(key) ?? { count: 0, expiresAt: Date.now() + windowSeconds * 1000 };
    entry.count += 1;
    this.memory.set(key, entry);
    return entry.count;
  }

  private memoryLock(lockKey: string, countKey: string, windowSeconds: number): void {
    if (!this.live(lockKey)) this.memory.set(lockKey, { count: 1, expiresAt: Date.now() + windowSeconds * 1000 });
    this.memory.delete(countKey);
  }

  /** Bounded memory under a flood of distinct usernames: drop what has expired. */
  private sweep(): void {
    if (this.memory.size < 10_000) return;
    const now = Date.now();
    for (const [key, entry] of this.memory) if (entry.expiresAt <= now) this.memory.delete(key);
  }
}
