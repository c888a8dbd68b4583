import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Gauge, register } from 'prom-client';

export interface DegradableRedisOptions {
  /** How long a caller waits for Redis before it takes the fallback (default 250 ms). */
  timeoutMs?: number;
  /**
   * Consecutive timeouts before the feature counts Redis as down (default 3). A connection
   * that is not ready, or a command that fails outright, counts as down at once.
   */
  timeoutsToDegrade?: number;
  /** While down, calls take the fallback without trying Redis for this long (default 1000 ms). */
  retryMs?: number;
}

/** Emitted (through `onTransition`) once when a feature starts falling back and once when it stops. */
export interface RedisFallbackTransition {
  feature: string;
  state: 'degraded' | 'recovered';
  reason?: string;
}

/** Thrown inside `run` when Redis has not answered in time; never reaches the caller. */
class RedisTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'RedisTimeout';
  }
}

/**
 * On prom-client's default registry directly, not through @app/metrics: the metrics library
 * depends (through auth) on this one, so importing it here would be a cycle. Created once per
 * process, since several app instances may share it (tests).
 */
const FALLBACK_METRIC = 'redis_fallback_active';
const fallbackActive =
  (register.getSingleMetric(FALLBACK_METRIC) as Gauge<'feature'> | undefined) ??
  new Gauge({
    name: FALLBACK_METRIC,
    help: '1 while the feature serves its fallback because Redis is unavailable, else 0.',
    labelNames: ['feature'] as const,
  });

/**
 * Runs a feature's Redis calls so that a dead Redis degrades the feature instead of failing or
 * holding requests: a bounded wait, the caller's fallback on failure, one log line and one
 * transition (metric `redis_fallback_active{feature}`) when it starts falling back, and one
 * when Redis answers again.
 *
 * A slow process is not a dead Redis. Under overload the event loop runs timers late, and
 * Node runs expired timers before it reads the sockets, so a plain `setTimeout` race declares
 * a timeout although Redis's reply is already waiting in the socket; falling back then sends
 * the load to Postgres and turns overload into a cascade. So:
 * - the decision is deferred past the next socket read (`setImmediate` after the timer);
 * - a timer that fired late (the loop was busy) gets one more period instead of failing;
 * - a single timeout takes the fallback for that call only; Redis counts as down (and later
 *   calls skip it for `retryMs`) after `timeoutsToDegrade` consecutive timeouts, or at once
 *   when the connection is not ready or a command fails outright.
 */
export class DegradableRedis {
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly timeoutsToDegrade: number;
  private readonly retryMs: number;
  private degraded = false;
  private consecutiveTimeouts = 0;
  private skipUntil = 0;

  constructor(
    readonly feature: string,
    readonly client: Redis | undefined,
    options: DegradableRedisOptions = {},
    private readonly onTransition: (transition: RedisFallbackTransition) => void = () => undefined,
  ) {
    this.logger = new Logger(`Redis:${feature}`);
    this.timeoutMs = options.timeoutMs ?? 250;
    this.timeoutsToDegrade = options.timeoutsToDegrade ?? 3;
    this.retryMs = options.retryMs ?? 1000;
    fallbackActive.set({ feature }, 0);
  }

  /** True while calls take the fallback because Redis is considered down. */
  get isDegraded(): boolean {
    return this.degraded;
  }

  /**
   * `call()` bounded and guarded; `fallback()` when Redis is not configured, known down, or
   * fails or times out on this call. Never throws what Redis throws.
   */
  async run<T, F>(call: (client: Redis) => Promise<T>, fallback: () => F | Promise<F>): Promise<T | F> {
    const client = this.client;
    if (!client) return fallback();
    if (client.status !== 'ready') {
      this.markDown(`connection ${client.status}`);
      return fallback();
    }
    if (this.degraded && Date.now() < this.skipUntil) return fallback();
    try {
      const value = await this.bounded(call(client));
      this.markUp();
      return value;
    } catch (error) {
      if (error instanceof RedisTimeout) {
        this.consecutiveTimeouts++;
        if (this.degraded || this.consecutiveTimeouts >= this.timeoutsToDegrade) {
          this.markDown(`${this.consecutiveTimeouts} consecutive calls got ${error.message}`);
        }
      } else {
        this.markDown(error instanceof Error ? error.message : String(error));
      }
      return fallback();
    }
  }

  private bounded<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = (extended: boolean): void => {
        const armedAt = performance.now();
        timer = setTimeout(() => {
          const late = performance.now() - armedAt - this.timeoutMs;
          // The loop was busy for a good part of the period: the wait was not Redis's fault.
          if (!extended && late > this.timeoutMs / 2) {
            arm(true);
            return;
          }
          // Timers run before the poll phase: let a reply already in the socket be read first.
          setImmediate(() => {
            if (settled) return;
            settled = true;
            reject(new RedisTimeout(this.timeoutMs));
          });
        }, this.timeoutMs);
      };
      arm(false);
      promise.then(
        (value) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private markDown(reason: string): void {
    this.skipUntil = Date.now() + this.retryMs;
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(`Redis unavailable for ${this.feature}, falling back (${reason})`);
    fallbackActive.set({ feature: this.feature }, 1);
    this.onTransition({ feature: this.feature, state: 'degraded', reason });
  }

  private markUp(): void {
    this.consecutiveTimeouts = 0;
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log(`Redis answers again; ${this.feature} uses it`);
    fallbackActive.set({ feature: this.feature }, 0);
    this.onTransition({ feature: this.feature, state: 'recovered' });
  }
}
