import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { ConsumeResult, RateLimitRule, RateLimitStore } from './rate-limit.types';

/**
 * Checks every limit and counts the request in one atomic step, so that replicas sharing
 * Redis enforce one limit and a refused request is counted nowhere.
 *
 * KEYS: per rule i, its counter (2i-1) and its block marker (2i).
 * ARGV: n, then per rule limit, window ms, block ms.
 * Returns {0, i, retryAfterMs} when refused by rule i, else {1, 0, 0, count1, reset1, count2, reset2, ...}.
 *
 * `@nest-lab/throttler-storage-redis` is not used: its script INCRs before looking at the
 * block and is called once per limit, so a refused request still counts, and a request
 * refused by one limit has already been counted in the limits checked before it.
 */
export const RATE_LIMIT_SCRIPT = `
local n = tonumber(ARGV[1])
local blocked, blockedFor = 0, 0
for i = 1, n do
  local ttl = redis.call('PTTL', KEYS[2 * i])
  if ttl > blockedFor then blocked, blockedFor = i, ttl end
end
if blocked > 0 then return {0, blocked, blockedFor} end

local counts, resets = {}, {}
local worst, worstFor = 0, 0
for i = 1, n do
  local limit = tonumber(ARGV[3 * i - 1])
  local window = tonumber(ARGV[3 * i])
  local block = tonumber(ARGV[3 * i + 1])
  local count = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local reset = redis.call('PTTL', KEYS[2 * i - 1])
  if count == 0 or reset < 0 then count, reset = 0, window end
  counts[i], resets[i] = count, reset
  if count + 1 > limit then
    local wait = reset
    if block > 0 then
      redis.call('SET', KEYS[2 * i], '1', 'PX', block)
      redis.call('DEL', KEYS[2 * i - 1])
      wait = block
    end
    if wait > worstFor then worst, worstFor = i, wait end
  end
end
if worst > 0 then return {0, worst, worstFor} end

local out = {1, 0, 0}
for i = 1, n do
  local window = tonumber(ARGV[3 * i])
  local count = redis.call('INCR', KEYS[2 * i - 1])
  local reset = resets[i]
  if count == 1 then
    redis.call('PEXPIRE', KEYS[2 * i - 1], window)
    reset = window
  end
  out[#out + 1] = count
  out[#out + 1] = reset
end
return out
`;

const SCRIPT_SHA = createHash('sha1').update(RATE_LIMIT_SCRIPT).digest('hex');

export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
  ) {}

  async consume(tracker: string, rules: readonly RateLimitRule[]): Promise<ConsumeResult> {
    // The hash tag keeps one client's keys in one slot (a Redis Cluster runs the script there).
    const base = `${this.keyPrefix}ratelimit:{${tracker}}`;
    const keys = rules.flatMap((rule) => [`${base}:${rule.name}`, `${base}:${rule.name}:block`]);
    const args = [rules.length, ...rules.flatMap((rule) => [rule.limit, rule.windowMs, rule.blockMs])];
    const reply = await this.run(keys, args);
    if (!Array.isArray(reply) || reply.some((value) => typeof value !== 'number')) {
      throw new TypeError(`Unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
    }
    const values = reply as number[];
    if (values[0] === 0) {
      return { allowed: false, rule: rules[values[1] - 1], retryAfterMs: values[2] };
    }
    return {
      allowed: true,
      windows: rules.map((rule, i) => ({ rule, count: values[3 + 2 * i], resetMs: values[4 + 2 * i] })),
    };
  }

  private async run(keys: string[], args: number[]): Promise<unknown> {
    try {
      return await this.client.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(RATE_LIMIT_SCRIPT, keys.length, ...keys, ...args);
    }
  }
}
