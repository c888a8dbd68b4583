import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { AppConfig } from '@app/config';
import { type DegradableRedis, RedisService } from '@app/redis';
import type Redis from 'ioredis';

export interface LockState {
  locked: boolean;
  /** Seconds until the lock lifts (0 when not locked). */
  retryAfterSeconds: number;
  scope?: 'pair' | 'ip';
}

interface MemoryEntry {
  count: number;
  expiresAt: number;
}

/**
 * Admission of one login attempt, in one atomic step BEFORE the password is checked: refused
 * while a lock holds, or while the attempts already admitted (in flight, or failed) fill the
 * threshold; otherwise counted as a failure up front. Concurrent guesses therefore get no
 * more password checks than the threshold.
 *
 * KEYS: pair lock, IP lock, pair count, IP count. ARGV: pair threshold, IP threshold, window ms.
 * Returns {0, scope, retryMs} when refused (scope 1 = pair, 2 = IP), {1, 0, 0} when admitted.
 */
export const ADMIT_SCRIPT = `
local pairLock = redis.call('PTTL', KEYS[1])
local ipLock = redis.call('PTTL', KEYS[2])
if pairLock > 0 or ipLock > 0 then
  if ipLock >= pairLock then return {0, 2, ipLock} end
  return {0, 1, pairLock}
end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[1]) then
  return {0, 1, math.max(redis.call('PTTL', KEYS[3]), 1000)}
end
if tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[2]) then
  return {0, 2, math.max(redis.call('PTTL', KEYS[4]), 1000)}
end
for i = 3, 4 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
end
return {1, 0, 0}
`;

/**
 * After a wrong password (already counted by admission): a count at its threshold becomes a
 * lock for the window (set once: further failures do not extend it) and the count restarts.
 * KEYS as ADMIT_SCRIPT; ARGV: pair threshold, IP threshold, window ms. Returns the scope
 * whose lock this call engaged (1 pair, 2 IP, 3 both), 0 for none.
 */
export const FAILURE_SCRIPT = `
local engaged = 0
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i + 2]) or '0') >= tonumber(ARGV[i]) then
    if redis.call('SET', KEYS[i], '1', 'PX', ARGV[3], 'NX') then engaged = engaged + i end
    redis.call('DEL', KEYS[i + 2])
  end
end
return engaged
`;

/**
 * After a right password: the attempt was counted at admission but was no failure. The pair's
 * count restarts (the user got in), the IP's loses this one attempt (the IP may still be
 * guessing other usernames). KEYS: pair count, IP count.
 */
export const SUCCESS_SCRIPT = `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`;

const SCRIPT_SHAS = new Map(
  [ADMIT_SCRIPT, FAILURE_SCRIPT, SUCCESS_SCRIPT].map((script) => [
    script,
    createHash('sha1').update(script).digest('hex'),
  ]),
);

/**
 * Failed-login limits: a (username, IP) pair locks after `threshold` failures within the
 * window, an IP after `ipThreshold` failures across usernames; each lock lasts the window.
 * Each attempt is admitted and counted in one atomic step before its password is checked
 * (`admit`), then settled (`recordFailure` / `recordSuccess`). Counted in Redis when
 * configured (limits hold across replicas), in memory otherwise or while Redis fails; the
 * in-memory steps are synchronous, so atomic too.
 */
@Injectable()
export class LoginLockoutService {
  private readonly memory = new Map<string, MemoryEntry>();
  /**
   * Bounded (a partitioned Redis, connected but silent, must not hold a login until TCP gives
   * up), falling back to the in-memory counters, logged and shown as
   * `redis_fallback_active{feature="login_lockout"}` once per transition.
   */
  private readonly redis: DegradableRedis;
  private readonly keyPrefix: string;

  constructor(
    private readonly config: AppConfig,
    redis: RedisService,
  ) {
    this.redis = redis.degradable('login_lockout');
    this.keyPrefix = redis.keyPrefix;
  }

  /**
   * Usernames are hashed into keys: they are caller input of any length and content. IPv6
   * clients are keyed by their /64 (as the rate limiter does): one host owns a whole /64, so
   * keying on the full address would let it rotate addresses past the IP lock.
   */
  private keys(
    username: string,
    rawIp: string,
  ): [pairLock: string, ipLock: string, pairCount: string, ipCount: string] {
    const user = createHash('sha256').update(username.toLowerCase()).digest('hex').slice(0, 32);
    const ip = normalizeIp(rawIp);
    const base = `${this.keyPrefix}auth:login`;
    return [
      `${base}:lock:${user}:${ip}`,
      `${base}:lock-ip:${ip}`,
      `${base}:fail:${user}:${ip}`,
      `${base}:fail-ip:${ip}`,
    ];
  }

  private get limits(): [threshold: number, ipThreshold: number, windowMs: number] {
    const { threshold, ipThreshold, windowSeconds } = this.config.loginLockout;
    return [threshold, ipThreshold, windowSeconds * 1000];
  }

  /** Refuses (locked) or admits and counts this attempt as a failure until it is settled. */
  async admit(username: string, ip: string): Promise<LockState> {
    const keys = this.keys(username, ip);
    const [allowed, scope, retryMs] = await this.redis.run(
      async (client) => (await this.run(client, ADMIT_SCRIPT, keys, this.limits)) as [number, number, number],
      () => this.memoryAdmit(keys),
    );
    if (allowed === 1) return { locked: false, retryAfterSeconds: 0 };
    return {
      locked: true,
      retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)),
      scope: scope === 2 ? 'ip' : 'pair',
    };
  }

  /** The admitted attempt failed; returns the lock it engaged, if it completed a threshold. */
  async recordFailure(username: string, ip: string): Promise<LockState> {
    const keys = this.keys(username, ip);
    const engaged = Number(
      await this.redis.run(
        (client) => this.run(client, FAILURE_SCRIPT, keys, this.limits),
        () => this.memoryFailure(keys),
      ),
    );
    if (engaged === 0) return { locked: false, retryAfterSeconds: 0 };
    return {
      locked: true,
      retryAfterSeconds: this.config.loginLockout.windowSeconds,
      scope: engaged >= 2 ? 'ip' : 'pair',
    };
  }

  /** The admitted attempt succeeded: the pair's failures are forgiven, the IP's count loses this attempt. */
  async recordSuccess(username: string, ip: string): Promise<void> {
    const [, , pairCount, ipCount] = this.keys(username, ip);
    await this.redis.run(
      (client) => this.run(client, SUCCESS_SCRIPT, [pairCount, ipCount], []),
      () => {
        this.memory.delete(pairCount);
        const entry = this.live(ipCount);
        if (entry && entry.count > 0) entry.count -= 1;
        return 1;
      },
    );
  }

  private async run(client: Redis, script: string, keys: string[], args: number[]): Promise<unknown> {
    try {
      return await client.evalsha(SCRIPT_SHAS.get(script) as string, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(script, keys.length, ...keys, ...args);
    }
  }

  private memoryAdmit([pairLock, ipLock, pairCount, ipCount]: string[]): [number, number, number] {
    const [threshold, ipThreshold, windowMs] = this.limits;
    const pair = this.memoryTtl(pairLock);
    const ipTtl = this.memoryTtl(ipLock);
    if (pair > 0 || ipTtl > 0) return ipTtl >= pair ? [0, 2, ipTtl] : [0, 1, pair];
    const pairEntry = this.live(pairCount);
    if (pairEntry && pairEntry.count >= threshold) return [0, 1, Math.max(pairEntry.expiresAt - Date.now(), 1000)];
    const ipEntry = this.live(ipCount);
    if (ipEntry && ipEntry.count >= ipThreshold) return [0, 2, Math.max(ipEntry.expiresAt - Date.now(), 1000)];
    this.memoryIncr(pairCount, windowMs);
    this.memoryIncr(ipCount, windowMs);
    return [1, 0, 0];
  }

  private memoryFailure([pairLock, ipLock, pairCount, ipCount]: string[]): number {
    const [threshold, ipThreshold, windowMs] = this.limits;
    let engaged = 0;
    for (const [lock, count, limit, scope] of [
      [pairLock, pairCount, threshold, 1],
      [ipLock, ipCount, ipThreshold, 2],
    ] as const) {
      if ((this.live(count)?.count ?? 0) < limit) continue;
      if (!this.live(lock)) {
        this.memory.set(lock, { count: 1, expiresAt: Date.now() + windowMs });
        engaged += scope;
      }
      this.memory.delete(count);
    }
    return engaged;
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

  private memoryIncr(key: string, windowMs: number): number {
    this.sweep();
    const entry = this.live(key) ?? { count: 0, expiresAt: Date.now() + windowMs };
    entry.count += 1;
    this.memory.set(key, entry);
    return entry.count;
  }

  /** Bounded memory under a flood of distinct usernames: drop what has expired. */
  private sweep(): void {
    if (this.memory.size < 10_000) return;
    const now = Date.now();
    for (const [key, entry] of this.memory) if (entry.expiresAt <= now) this.memory.delete(key);
  }
}
