import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { withTimeout } from '@app/common';
import { RedisService } from '@app/redis';
import type Redis from 'ioredis';
import { type EntityManager, Repository } from 'typeorm';
import { RevokedTokenEntity } from '../entities/revoked-token.entity';

export interface Revocation {
  jti: string;
  expiresAt: Date;
}

export const REVOCATION_CHANNEL = 'auth:revocations';

export const REVOCATION_POLL_MS = 500;
const PRUNE_INTERVAL_MS = 60_000;
const PUBLISH_TIMEOUT_MS = 250;

/**
 * Writes revocations: Postgres first (the source of truth, so no restart resurrects a token),
 * then a Redis message so other replicas hear it at once. Used by the API and the CLI.
 */
@Injectable()
export class RevocationStore {
  private readonly logger = new Logger('Revocation');
  private readonly localListeners: ((revocations: Revocation[]) => void)[] = [];

  constructor(
    @InjectRepository(RevokedTokenEntity) private readonly repository: Repository<RevokedTokenEntity>,
    private readonly redis: RedisService,
  ) {}

  get channel(): string {
    return `${this.redis.keyPrefix}${REVOCATION_CHANNEL}`;
  }

  /** Called after the local write, so this replica refuses the token before the request ends. */
  onLocalRevocation(listener: (revocations: Revocation[]) => void): void {
    this.localListeners.push(listener);
  }

  /** Persists (inside `manager`'s transaction when given); call `announce` after commit. */
  async persist(revocations: Revocation[], reason: string, manager?: EntityManager): Promise<void> {
    if (revocations.length === 0) return;
    const repository = manager ? manager.getRepository(RevokedTokenEntity) : this.repository;
    await repository
      .createQueryBuilder()
      .insert()
      .values(revocations.map(({ jti, expiresAt }) => ({ jti, expiresAt, reason })))
      .orIgnore()
      .execute();
  }

  async announce(revocations: Revocation[]): Promise<void> {
    if (revocations.length === 0) return;
    for (const listener of this.localListeners) listener(revocations);
    const client = this.redis.client;
    if (!client) return;
    try {
      const message = JSON.stringify(revocations.map(({ jti, expiresAt }) => [jti, expiresAt.getTime()]));
      // Bounded: a Redis that is connected but silent (a partition) must not hold the logout
      // or revoke request open; Postgres already has the revocation.
      await withTimeout(client.publish(this.channel, message), PUBLISH_TIMEOUT_MS);
    } catch (error) {
      // Postgres has it: the other replicas' polling picks it up within REVOCATION_POLL_MS.
      this.logger.warn(`Revocation not broadcast over Redis (${(error as Error).message}); replicas will poll it`);
    }
  }
}

/**
 * Each replica's view of the revoked tokens: loaded from Postgres at start, kept current by
 * Redis pub/sub when configured, and by polling Postgres every 500 ms in any case (Redis
 * may be down, or a message lost while reconnecting), so a revocation reaches every replica
 * within a second. Checking a token is a Map lookup.
 */
@Injectable()
export class RevocationCache implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Revocation');
  private readonly revoked = new Map<string, number>();
  /**
   * The oldest transaction still running when the last poll read the table: every row of an
   * older transaction was visible to that poll (or never committed), so the next poll reads
   * `tx_id >= horizon` and misses nothing, however long a writer's transaction lasted.
   */
  private horizon?: string;
  private pollTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private polling = false;
  private pollFailing = false;
  private subscriber?: Redis;

  constructor(
    @InjectRepository(RevokedTokenEntity) private readonly repository: Repository<RevokedTokenEntity>,
    private readonly store: RevocationStore,
    private readonly redis: RedisService,
  ) {}

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  get size(): number {
    return this.revoked.size;
  }

  async onModuleInit(): Promise<void> {
    this.store.onLocalRevocation((revocations) => this.add(revocations));
    await this.readSince('0');
  }

  onApplicationBootstrap(): void {
    this.subscribe();
    this.pollTimer = setInterval(() => void this.poll(), REVOCATION_POLL_MS);
    this.pollTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pollTimer);
    clearInterval(this.pruneTimer);
    // The connection itself belongs to RedisService, which closes it.
    await this.subscriber?.unsubscribe().catch(() => undefined);
  }

  /** Reads revocations committed since the last poll. Public for tests and for a manual refresh. */
  async poll(): Promise<void> {
    if (this.polling || this.horizon === undefined) return;
    this.polling = true;
    try {
      await this.readSince(this.horizon);
      if (this.pollFailing) this.logger.log('Revocation polling recovered');
      this.pollFailing = false;
    } catch (error) {
      if (!this.pollFailing) this.logger.warn(`Revocation polling failed: ${(error as Error).message}`);
      this.pollFailing = true;
    } finally {
      this.polling = false;
    }
  }

  /**
   * One statement, so the rows and the new horizon come from one snapshot: rows written by
   * transactions from `since` on, and the oldest transaction that snapshot still saw running.
   * Rows of transactions between the two horizons are read again next time (a Map set).
   */
  private async readSince(since: string): Promise<void> {
    const rows = await this.repository.query<{ horizon: string; jti: string | null; expires_at: Date | null }[]>(
      `SELECT s.horizon, r.jti, r.expires_at
         FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon) s
         LEFT JOIN revoked_tokens r ON r.tx_id >= $1 AND r.expires_at > now()`,
      [since],
    );
    this.add(rows.flatMap((r) => (r.jti && r.expires_at ? [{ jti: r.jti, expiresAt: new Date(r.expires_at) }] : [])));
    const horizon = rows[0]?.horizon;
    if (horizon !== undefined) this.horizon = String(horizon);
  }

  private add(revocations: Revocation[]): void {
    const now = Date.now();
    for (const { jti, expiresAt } of revocations) {
      if (expiresAt.getTime() > now) this.revoked.set(jti, expiresAt.getTime());
    }
  }

  private subscribe(): void {
    const subscriber = this.redis.createConnection('revocations');
    if (!subscriber) return;
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.store.channel) return;
      try {
        const entries = JSON.parse(message) as [string, number][];
        this.add(entries.map(([jti, expiresAt]) => ({ jti, expiresAt: new Date(expiresAt) })));
      } catch {
        this.logger.warn('Ignored a malformed revocation message');
      }
    });
    // Without an offline queue a SUBSCRIBE before the connection is ready fails, so subscribe
    // on every "ready" (a repeated SUBSCRIBE is harmless); polling covers the gaps.
    const subscribeNow = (): void => {
      subscriber.subscribe(this.store.channel).catch((error: Error) => {
        this.logger.warn(`Revocation subscription pending (${error.message}); polling covers the gap`);
      });
    };
    subscriber.on('ready', subscribeNow);
    if (subscriber.status === 'ready') subscribeNow();
  }

  /** Drops entries whose token has expired anyway, here and in Postgres. Public for tests. */
  async prune(): Promise<void> {
    const now = Date.now();
    for (const [jti, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(jti);
    try {
      await this.repository.createQueryBuilder().delete().where('expires_at < now()').execute();
    } catch (error) {
      this.logger.warn(`Pruning expired revocations failed: ${(error as Error).message}`);
    }
  }
}
