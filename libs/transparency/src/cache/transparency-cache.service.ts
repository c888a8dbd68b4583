import { createHash, randomUUID } from 'node:crypto';
import { BoundedMap } from '@app/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Cache } from 'cache-manager';
import type { Redis } from 'ioredis';
import { getOrCreateGauge } from '@app/metrics';
import { type DegradableRedis, RedisService } from '@app/redis';
import { CACHE_LOOKUP_EVENT, type CacheFamily, type CacheLookupEvent } from './cache-families';

/** Past this, a cache call counts as failed and the read goes to Postgres (docs/transparency.md). */
const CACHE_CALL_TIMEOUT_MS = 250;
/** How often an invalidation that could not be written is retried while the cache is down. */
const INVALIDATION_RETRY_MS = 500;
/**
 * Life of an in-process (L1) copy of a Redis entry. Invalidations reach every replica over
 * pub/sub at once; this bound is the safety net when a message is lost (subscriber
 * reconnecting): no replica serves an answer older than a write by more than this.
 */
export const L1_TTL_MS = 1000;
/** Entries held in process in front of Redis (pre-serialised bodies with their ETag): hot reads are few keys, and a 1 s copy of a one-off query (S3-like traffic) is memory for nothing. */
const L1_MAX_ENTRIES = 256;
/** Redis channel (after the key prefix) carrying invalidated family names, comma-separated. */
export const CACHE_INVALIDATION_CHANNEL = 'cache:invalidate';

/** A family's version token as last read from Redis, kept in process like an L1 entry. */
interface NearVersion {
  version: string | undefined;
  generation: number;
  expiresAt: number;
}

interface L1Entry {
  etag: string;
  body: string;
  /** The family's local generation at the time the Redis read started. */
  generation: number;
  expiresAt: number;
}

/** One cached read: what the interceptor needs to find, fill and label an entry. */
export interface CacheLookup {
  family: CacheFamily;
  /** Route template, e.g. `/api/v1/trades/:id`: part of the key. */
  route: string;
  /** The route's name in the `cache.lookup` event (and so in the cache metrics' `route` label). */
  label: string;
  /** Normalised path parameters and query (see `normaliseQuery`): part of the key. */
  query: string;
  ttlSeconds: number;
}

/** An answer as it is sent: the JSON text, its strong ETag, and whether it came from the cache. */
export interface CachedAnswer {
  body: string;
  etag: string;
  hit: boolean;
}

/**
 * Keys are `route + normalised parameters and query`, never the caller. Each family has a
 * version token stored in the cache itself; entry keys embed it, so a write that replaces the
 * token invalidates the family for every instance sharing the store, without scanning keys.
 */
export function cacheKey(route: string, version: string, query: string): string {
  return `r:${route}:${version}:${query}`;
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

/** The ETag of a body: a hash of its exact bytes, so equal answers share it across instances. */
export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/**
 * Entries are stored as one string, `<etag>\n<json>`: a hit hands the JSON text on as it is,
 * with no parse and no re-serialisation. Anything else (an entry of an older format) is a miss.
 */
function encodeEntry(answer: { etag: string; body: string }): string {
  return `${answer.etag}\n${answer.body}`;
}

function decodeEntry(stored: unknown): { etag: string; body: string } | undefined {
  if (typeof stored !== 'string' || stored.charCodeAt(0) !== 34 /* '"' */) return undefined;
  const end = stored.indexOf('\n');
  if (end < 2) return undefined;
  return { etag: stored.slice(0, end), body: stored.slice(end + 1) };
}

/** The in-process stores (memory store or L1) of every live cache in this process (several apps in one test process). */
const memoryStores = new Set<Map<string, unknown>>();
getOrCreateGauge({
  name: 'cache_entries',
  help: 'Response-cache entries held in process (the in-memory store, or with Redis the in-process L1 copies).',
  collect() {
    let entries = 0;
    for (const store of memoryStores) entries += store.size;
    this.set(entries);
  },
});

const FAILED = Symbol('cache call failed');

/** The response cache behind `@CachedRead`: Express-free, so the interceptor owns the HTTP side. */
@Injectable()
export class TransparencyCache implements OnModuleDestroy {
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
  private readonly redis: DegradableRedis;
  private readonly memoryStore?: BoundedMap<string, unknown>;
  /** With Redis: recent hits and fills kept in process, so a hot read costs no round trip. */
  private readonly l1?: BoundedMap<string, L1Entry>;
  /**
   * Per family, bumped by every invalidation seen here (own writes and other replicas'
   * messages). An L1 entry of an older generation is dead, and a Redis read that started before
   * a bump never fills L1, so a read racing a write cannot park a stale answer in process.
   */
  private readonly generations = new Map<CacheFamily, number>();
  /**
   * With L1 on: each family's version token, so a read that misses L1 costs one Redis round trip
   * (the entry) instead of two. It obeys L1's rules: dead at the family's next invalidation seen
   * here, and at most L1_TTL_MS old, so a lost invalidation message still ages out within 1 s.
   */
  private readonly versions = new Map<CacheFamily, NearVersion>();
  private subscriber?: Redis;
  private readonly channel: string;
  private readonly inFlight = new Map<string, Promise<CachedAnswer>>();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly events: EventEmitter2,
    private readonly redisService: RedisService,
  ) {
    this.redis = redisService.degradable('cache', { timeoutMs: CACHE_CALL_TIMEOUT_MS });
    this.channel = `${redisService.keyPrefix}${CACHE_INVALIDATION_CHANNEL}`;
    const store: unknown = cache.stores[0]?.store;
    if (store instanceof BoundedMap) {
      this.memoryStore = store as BoundedMap<string, unknown>;
      memoryStores.add(this.memoryStore);
    } else if (redisService.configured) {
      this.l1 = new BoundedMap<string, L1Entry>(L1_MAX_ENTRIES);
      memoryStores.add(this.l1);
      this.subscribe();
    }
  }

  /**
   * The cached answer for `lookup`, or `load()`'s answer serialised (and stored). Any cache
   * failure is a miss, never an error; an error of `load()` is the caller's and stores nothing.
   */
  async read(lookup: CacheLookup, load: () => Promise<unknown>): Promise<CachedAnswer> {
    if (this.unbumped.size > 0) await this.retryInvalidations();
    const generation = this.generation(lookup.family);
    if (!this.l1 || this.unbumped.has(lookup.family)) return this.readShared(lookup, load, '', generation);
    const l1Key = `${lookup.family}\n${lookup.route}\n${lookup.query}`;
    const near = this.l1.get(l1Key);
    if (near && near.generation === generation && near.expiresAt > Date.now()) return this.answer(lookup, 'hit', near);
    // Single flight: under a burst, the reads of one key that find no fresh copy wait for one
    // Redis lookup (and at most one load), instead of each going to Redis and then Postgres.
    const flightKey = `${generation}\n${l1Key}`;
    const inFlight = this.inFlight.get(flightKey);
    if (inFlight) {
      const shared = await inFlight;
      return this.answer(lookup, 'hit', shared);
    }
    const flight = this.readShared(lookup, load, l1Key, generation);
    this.inFlight.set(flightKey, flight);
    try {
      return await flight;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  private async readShared(
    lookup: CacheLookup,
    load: () => Promise<unknown>,
    l1Key: string,
    generation: number,
  ): Promise<CachedAnswer> {
    const known = this.unbumped.has(lookup.family) ? FAILED : await this.familyVersion(lookup.family, generation);
    // Without the family's current version no key is known to be fresh: read through.
    if (known === FAILED) return this.answer(lookup, 'miss', serialise(await load()));
    const key = cacheKey(lookup.route, known.version ?? '0', lookup.query);
    const entry = decodeEntry(await this.attempt(() => this.cache.get<string>(key)));
    if (entry) {
      this.keepNear(lookup, l1Key, generation, entry, known.expiresAt);
      return this.answer(lookup, 'hit', entry);
    }
    const fresh = serialise(await load());
    const stored = await this.attempt(() => this.cache.set<string>(key, encodeEntry(fresh), lookup.ttlSeconds * 1000));
    if (stored !== FAILED) this.keepNear(lookup, l1Key, generation, fresh, known.expiresAt);
    return this.answer(lookup, 'miss', fresh);
  }

  /** The family's version token: the in-process copy while it is alive, else Redis's (then kept). */
  private async familyVersion(family: CacheFamily, generation: number): Promise<NearVersion | typeof FAILED> {
    const now = Date.now();
    const near = this.versions.get(family);
    if (near && near.generation === generation && near.expiresAt > now) return near;
    const version = await this.attempt(() => this.cache.get<string>(versionKey(family)));
    if (version === FAILED) return FAILED;
    const read: NearVersion = { version, generation, expiresAt: now + L1_TTL_MS };
    // A read that began before an invalidation seen here must not outlive it.
    if (this.l1 && generation === this.generation(family)) this.versions.set(family, read);
    return read;
  }

  /** Called after a write commits: every cached answer of these families is stale from now on. */
  async invalidate(families: readonly CacheFamily[]): Promise<void> {
    // Bumped before and after the shared write: a read of this process that fetched the old
    // version in between cannot fill L1 (its generation is then out of date).
    for (const family of families) this.bumpGeneration(family);
    await Promise.all(families.map((family) => this.bump(family)));
    for (const family of families) this.bumpGeneration(family);
    if (this.l1 && families.length > 0) {
      const message = families.join(',');
      await this.redis.run(
        (client) => client.publish(this.channel, message),
        () => undefined,
      );
    }
  }

  onModuleDestroy(): void {
    this.stopRetry();
    if (this.memoryStore) memoryStores.delete(this.memoryStore);
    if (this.l1) memoryStores.delete(this.l1);
    // The subscriber is one of RedisService's connections: it closes it at shutdown.
    this.subscriber = undefined;
  }

  private generation(family: CacheFamily): number {
    return this.generations.get(family) ?? 0;
  }

  private bumpGeneration(family: CacheFamily): void {
    this.generations.set(family, this.generation(family) + 1);
  }

  /** Keeps a copy in process unless the family was invalidated since the read began. */
  private keepNear(
    lookup: CacheLookup,
    l1Key: string,
    generation: number,
    entry: { etag: string; body: string },
    versionExpiresAt: number,
  ): void {
    if (!this.l1 || l1Key === '' || generation !== this.generation(lookup.family)) return;
    const ttl = Math.min(L1_TTL_MS, lookup.ttlSeconds * 1000);
    // No older than the version it was found under: the 1 s bound counts from the version's read.
    const expiresAt = Math.min(Date.now() + ttl, versionExpiresAt);
    this.l1.set(l1Key, { etag: entry.etag, body: entry.body, generation, expiresAt });
  }

  /** Other replicas' invalidations; a message missed while reconnecting is covered by L1_TTL_MS. */
  private subscribe(): void {
    const subscriber = this.redisService.createConnection('cache');
    if (!subscriber) return;
    this.subscriber = subscriber;
    subscriber.on('message', (from: string, message: string) => {
      if (from !== this.channel) return;
      for (const family of message.split(',')) this.bumpGeneration(family as CacheFamily);
    });
    const subscribeNow = (): void => {
      subscriber.subscribe(this.channel).catch(() => undefined);
    };
    subscriber.on('ready', subscribeNow);
    if (subscriber.status === 'ready') subscribeNow();
  }

  private answer(lookup: CacheLookup, result: 'hit' | 'miss', entry: { etag: string; body: string }): CachedAnswer {
    this.events.emit(CACHE_LOOKUP_EVENT, { route: lookup.label, result } satisfies CacheLookupEvent);
    return { body: entry.body, etag: entry.etag, hit: result === 'hit' };
  }

  private async bump(family: CacheFamily): Promise<void> {
    // The store throws on failure (Keyv throwOnErrors), so FAILED means "not written".
    const written = await this.attempt(() => this.cache.set(versionKey(family), randomUUID()));
    if (written === FAILED) {
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

  private async retryInvalidations(): Promise<void> {
    await Promise.all([...this.unbumped].map((family) => this.bump(family)));
  }

  /** The in-process store cannot fail; Redis goes through the degradable helper. */
  private attempt<T>(call: () => Promise<T>): Promise<T | typeof FAILED> {
    if (this.memoryStore) return call();
    return this.redis.run(call, () => FAILED);
  }
}

function serialise(value: unknown): { etag: string; body: string } {
  // `undefined` has no JSON form; Express would send an empty body, JSON says null.
  const body = JSON.stringify(value) ?? 'null';
  return { etag: strongEtag(body), body };
}

function versionKey(family: CacheFamily): string {
  return `v:${family}`;
}
