import { createHash, randomUUID } from 'node:crypto';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Cache } from 'cache-manager';
import type { Response } from 'express';
import { CACHE_LOOKUP_EVENT, CACHE_TTL_SECONDS, type CacheFamily, type CacheLookupEvent } from './cache-families';
import { withTimeout } from '@app/common';

/** Past this, a cache call counts as failed and the read goes to Postgres (SPEC §5). */
const CACHE_CALL_TIMEOUT_MS = 250;
/** How often an invalidation that could not be written is retried while the cache is down. */
const INVALIDATION_RETRY_MS = 500;

interface CachedEntry {
  etag: string;
  body: unknown;
}

/**
 * Keys are `route + normalised validated query`, never the caller. Each family has a version
 * token stored in the cache itself; entry keys embed it, so a write that replaces the token
 * invalidates the family for every instance sharing the store, without scanning keys.
 */
export function cacheKey(route: string, version: string, params: object): string {
  return `r:${route}:${version}:${normaliseQuery(params)}`;
}

/** Sorted `k=v` pairs of the defined parameters (dates as ISO): equal queries, equal keys. */
export function normaliseQuery(params: object): string {
  return Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]): [string, string] => [key, value instanceof Date ? value.toISOString() : String(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

@Injectable()
export class TransparencyCache implements OnModuleDestroy {
  private readonly logger = new Logger('TransparencyCache');
  private warnedAt = 0;
  /**
   * Retries unwritten invalidations on a timer, not only on this instance's next read: other
   * instances sharing the store would otherwise serve the pre-write entries once it is back.
   */
  private retryTimer?: NodeJS.Timeout;
  /**
   * Families whose invalidation could not be written (cache down during a write). Until the
   * bump succeeds this instance reads them uncached, so a recovered cache cannot serve an
   * answer older than a write it acknowledged.
   */
  private readonly unbumped = new Set<CacheFamily>();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * Serves `load()` through the cache: sets `X-Cache` and a strong `ETag` (Express answers
   * 304 itself when `If-None-Match` matches it). Any cache failure is a miss, never an error.
   */
  async read<T>(res: Response, family: CacheFamily, route: string, params: object, load: () => Promise<T>): Promise<T> {
    if (this.unbumped.size > 0) await this.retryInvalidations();
    if (this.unbumped.has(family)) {
      const body = await load();
      res.setHeader('X-Cache', 'MISS');
      this.events.emit(CACHE_LOOKUP_EVENT, { route, result: 'miss' } satisfies CacheLookupEvent);
      return body;
    }
    const version = (await this.attempt(() => this.cache.get<string>(versionKey(family)))) ?? '0';
    const key = cacheKey(route, version, params);
    const hit = await this.attempt(() => this.cache.get<CachedEntry>(key));
    if (hit && typeof hit.etag === 'string') {
      this.respond(res, route, 'hit', hit.etag);
      return hit.body as T;
    }
    const body = await load();
    const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32)}"`;
    await this.attempt(() => this.cache.set<CachedEntry>(key, { etag, body }, CACHE_TTL_SECONDS[family] * 1000));
    this.respond(res, route, 'miss', etag);
    return body;
  }

  /** Called after a write commits: every cached answer of these families is stale from now on. */
  async invalidate(families: readonly CacheFamily[]): Promise<void> {
    await Promise.all(families.map((family) => this.bump(family)));
  }

  private async bump(family: CacheFamily): Promise<void> {
    // The store throws on failure (Keyv throwOnErrors), so undefined means "not written".
    const written = await this.attempt(() => this.cache.set(versionKey(family), randomUUID()));
    if (written === undefined) {
      this.unbumped.add(family);
      this.scheduleRetry();
    } else {
      this.unbumped.delete(family);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setInterval(() => {
      if (this.unbumped.size === 0) this.stopRetry();
      else void this.retryInvalidations();
    }, INVALIDATION_RETRY_MS);
    this.retryTimer.unref();
  }

  private stopRetry(): void {
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }

  onModuleDestroy(): void {
    this.stopRetry();
  }

  private async retryInvalidations(): Promise<void> {
    await Promise.all([...this.unbumped].map((family) => this.bump(family)));
  }

  private respond(res: Response, route: string, result: 'hit' | 'miss', etag: string): void {
    res.setHeader('X-Cache', result === 'hit' ? 'HIT' : 'MISS');
    res.setHeader('ETag', etag);
    this.events.emit(CACHE_LOOKUP_EVENT, { route, result } satisfies CacheLookupEvent);
  }

  private async attempt<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await withTimeout(call(), CACHE_CALL_TIMEOUT_MS);
    } catch (error) {
      // Degrade quietly but visibly: one warning a minute, not one per request.
      if (Date.now() - this.warnedAt > 60_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`cache unavailable, serving uncached: ${(error as Error).message}`);
      }
      return undefined;
    }
  }
}

function versionKey(family: CacheFamily): string {
  return `v:${family}`;
}
