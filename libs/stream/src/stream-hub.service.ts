import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RevocationCache } from '@app/auth';
import { ApiProblemException, AppLifecycle } from '@app/common';
import { AppConfig } from '@app/config';
import { RedisService } from '@app/redis';
import type Redis from 'ioredis';
import { renderEvent, StreamConnection, type StreamEvent } from './stream-connection';
import { streamMetrics } from './stream-metrics';
import { STREAM_NOTIFY_PREFIX, STREAM_WAKE_CHANNEL, StreamOutbox } from './stream-outbox';
import { StreamSlots } from './stream-slots.service';
import type { StreamEventType } from './stream-topics';

/** What a resume replays at most: the last hour, and 1,000 events. */
export const REPLAY_MAX_EVENTS = 1000;
export const REPLAY_WINDOW = '1 hour';
/** Polling of the outbox: the safety net behind the wake-ups, and the transport while they are down. */
const POLL_MS = 250;
const POLL_WHEN_AWAKE_MS = 1000;
/** Revocation and expiry are checked this often (the revocation cache itself is current within 500 ms). */
const TOKEN_CHECK_MS = 200;
const PRUNE_MS = 60_000;
const PUMP_BATCH = 500;
const RELISTEN_MS = 2000;

interface OutboxRow {
  id: string;
  topic: StreamEventType;
  payload: string;
}

export interface OpenStreamOptions {
  topics: ReadonlySet<StreamEventType>;
  /** Resume after this id (the `Last-Event-ID` header). */
  lastEventId?: number;
}

/**
 * Each replica's fan-out. The outbox in Postgres is the one ordered log; the hub keeps a cursor
 * in it and, whenever it is woken, reads what is new (`id > cursor`, in id order) and writes it
 * to every local stream. Wake-ups: in-process right after a local commit; from other replicas
 * over Redis pub/sub when REDIS_URL is set, else Postgres LISTEN/NOTIFY; and a poll of the
 * outbox every second (every 250 ms while the cross-replica wake-up is down), so a lost
 * message delays an event but never loses it.
 */
@Injectable()
export class StreamHub implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Stream');
  private readonly connections = new Set<StreamConnection>();
  private readonly metrics = streamMetrics();
  private cursor = 0;
  /** Counts registrations, so the pump's no-listener shortcut can tell that one happened meanwhile. */
  private registrations = 0;
  private pumping = false;
  private pumpAgain = false;
  private pumpFailing = false;
  private lastPump = 0;
  private closing = false;
  private timers: NodeJS.Timeout[] = [];
  private subscriber?: Redis;
  private listener?: Client;
  private listening = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisService,
    private readonly outbox: StreamOutbox,
    private readonly slots: StreamSlots,
    private readonly revocations: RevocationCache,
    private readonly config: AppConfig,
    lifecycle: AppLifecycle,
  ) {
    // SIGTERM ends every stream at once (the client reconnects to another replica with
    // Last-Event-ID); waiting for Nest's shutdown hooks would hold the listener open first.
    lifecycle.onShutdown(() => void this.beforeApplicationShutdown());
  }

  get openStreams(): number {
    return this.connections.size;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.cursor = await this.committedMax();
    this.outbox.onCommitted(() => this.wake());
    if (this.redis.configured) this.subscribeRedis();
    else if (!this.config.database.embedded) await this.listenPostgres();
    const every = (ms: number, run: () => void): void => {
      const timer = setInterval(run, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(POLL_MS, () => {
      if (!this.awake() || Date.now() - this.lastPump >= POLL_WHEN_AWAKE_MS) this.wake();
    });
    every(TOKEN_CHECK_MS, () => this.checkTokens());
    every(PRUNE_MS, () => void this.prune());
    void this.prune();
  }

  /** Runs before the HTTP server closes: every stream ends with `event: error` (reason shutdown) and is flushed. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const open = [...this.connections];
    for (const connection of open) connection.end('shutdown');
    await Promise.all(open.map((connection) => connection.whenClosed()));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    // The Redis connection belongs to RedisService, which closes it; the LISTEN client is ours.
    await this.subscriber?.unsubscribe().catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /**
   * Opens a stream on `res`: takes a slot (429 beyond the limit), reads the replay (a database
   * outage is still an ordinary 503), then sends headers, replay and live events.
   */
  async open(req: Request, res: Response, options: OpenStreamOptions): Promise<void> {
    if (this.closing) {
      throw new ApiProblemException(
        { status: 503, detail: 'This server is shutting down; reconnect.' },
        { 'Retry-After': '1' },
      );
    }
    const principal = req.principal;
    const client = principal ? `sub:${principal.sub}` : `ip:${req.ip ?? 'unknown'}`;
    const slot = randomUUID();
    if (!(await this.slots.acquire(client, slot))) {
      throw new ApiProblemException({
        status: 429,
        detail: `At most ${this.slots.max} streams may be open per client; close one first.`,
      });
    }
    let counted = false;
    const connection = new StreamConnection(res, {
      topics: options.topics,
      tokenId: principal?.tokenId,
      expiresAt: principal?.expiresAt,
      heartbeatMs: this.config.stream.heartbeatMs,
      maxBufferBytes: this.config.stream.maxBufferBytes,
      onSent: (event) => this.metrics.eventsSent.inc({ event }),
      onClosed: (closed) => {
        if (!this.connections.delete(closed)) return;
        this.slots.release(client, slot);
        if (counted) this.metrics.connections.dec();
      },
    });
    // Registered before the replay is read, so events committed meanwhile are held, not missed.
    this.connections.add(connection);
    this.registrations++;
    let replay: { afterId: number; events: StreamEvent[] };
    try {
      replay =
        options.lastEventId === undefined
          ? { afterId: 0, events: [] }
          : await this.replay(options.lastEventId, options.topics);
    } catch (error) {
      connection.abandon();
      throw error;
    }
    if (!connection.isOpen) return;
    counted = true;
    this.metrics.connections.inc();
    await connection.start(replay.afterId, replay.events);
  }

  /** Wakes the pump; a wake-up during a pump makes it read once more. */
  wake(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.lastPump = Date.now();
        if (this.connections.size === 0) {
          // Nobody listens here: move the cursor without reading payloads, unless a stream
          // registered meanwhile (its replay may predate that max: it must get the rows after it).
          const registrations = this.registrations;
          const max = await this.committedMax();
          if (registrations === this.registrations) this.cursor = Math.max(this.cursor, max);
          else this.pumpAgain = true;
          continue;
        }
        let rows: OutboxRow[];
        do {
          rows = await this.dataSource.query<OutboxRow[]>(
            `SELECT id, topic, payload::text AS payload FROM stream_events WHERE id > $1 ORDER BY id LIMIT $2`,
            [this.cursor, PUMP_BATCH],
          );
          for (const row of rows) {
            const event = renderEvent(Number(row.id), row.topic, row.payload);
            this.cursor = event.id;
            for (const connection of this.connections) connection.deliver(event);
          }
        } while (rows.length === PUMP_BATCH);
      } while (this.pumpAgain);
      if (this.pumpFailing) this.logger.log('Stream outbox reads recovered');
      this.pumpFailing = false;
    } catch (error) {
      if (!this.pumpFailing) this.logger.warn(`Stream outbox read failed: ${(error as Error).message}; retrying`);
      this.pumpFailing = true;
    } finally {
      this.pumping = false;
    }
  }

  /**
   * The events after `lastEventId` on `topics`: the newest REPLAY_MAX_EVENTS of the last hour,
   * ascending. An id beyond any issued (another database, a forged header) resumes from now.
   */
  private async replay(
    lastEventId: number,
    topics: ReadonlySet<StreamEventType>,
  ): Promise<{ afterId: number; events: StreamEvent[] }> {
    const [sequence] = await this.dataSource.query<{ last_value: string; is_called: boolean }[]>(
      `SELECT last_value, is_called FROM stream_events_id_seq`,
    );
    const issued = sequence.is_called ? Number(sequence.last_value) : 0;
    const afterId = Math.min(lastEventId, issued);
    const rows = await this.dataSource.query<OutboxRow[]>(
      `SELECT id, topic, payload::text AS payload FROM (
         SELECT id, topic, payload FROM stream_events
          WHERE id > $1 AND topic = ANY($2) AND created_at > now() - interval '${REPLAY_WINDOW}'
          ORDER BY id DESC LIMIT $3) newest
        ORDER BY id ASC`,
      [afterId, [...topics], REPLAY_MAX_EVENTS],
    );
    return { afterId, events: rows.map((row) => renderEvent(Number(row.id), row.topic, row.payload)) };
  }

  /** The highest committed id: ids commit in order (StreamOutbox), so every later commit is above it. */
  private async committedMax(): Promise<number> {
    const [row] = await this.dataSource.query<{ max: string | null }[]>(`SELECT max(id) AS max FROM stream_events`);
    return Number(row?.max ?? 0);
  }

  private checkTokens(): void {
    const now = Date.now();
    for (const connection of this.connections) {
      if (connection.tokenId !== undefined && this.revocations.isRevoked(connection.tokenId)) {
        connection.end('token_revoked');
      } else if (connection.expiresAt !== undefined && connection.expiresAt.getTime() <= now) {
        connection.end('token_expired');
      }
    }
  }

  /** True while a cross-replica wake-up works (always, on the embedded database: it has one process). */
  private awake(): boolean {
    if (this.subscriber) return this.subscriber.status === 'ready';
    if (this.config.database.embedded) return true;
    return this.listening;
  }

  private subscribeRedis(): void {
    const subscriber = this.redis.createConnection('stream');
    if (!subscriber) return;
    this.subscriber = subscriber;
    const channel = `${this.redis.keyPrefix}${STREAM_WAKE_CHANNEL}`;
    subscriber.on('message', (from: string) => {
      if (from === channel) this.wake();
    });
    // No offline queue: subscribe on every "ready"; polling covers the gaps.
    const subscribeNow = (): void => {
      subscriber.subscribe(channel).catch((error: Error) => {
        this.logger.warn(`Stream subscription pending (${error.message}); polling the outbox meanwhile`);
      });
    };
    subscriber.on('ready', subscribeNow);
    if (subscriber.status === 'ready') subscribeNow();
  }

  /** LISTEN on a dedicated connection (outside the pool); on failure polling carries the stream. */
  private async listenPostgres(): Promise<void> {
    // The DataSource's own URL (DATABASE_URL), so the listener sees the same database and schema.
    const { url } = this.dataSource.options as { url?: string };
    const listener = new Client({ connectionString: url, application_name: 'transparency-api:stream' });
    listener.on('error', (error: Error) => {
      if (this.listener !== listener) return;
      this.logger.warn(`Stream LISTEN connection lost (${error.message}); polling the outbox until it is back`);
      this.listening = false;
      this.listener = undefined;
      listener.end().catch(() => undefined);
      this.relisten();
    });
    listener.on('notification', () => this.wake());
    try {
      await listener.connect();
      const { rows } = await listener.query<{ schema: string }>('SELECT current_schema() AS schema');
      const channel = `${STREAM_NOTIFY_PREFIX}${rows[0].schema}`.replaceAll('"', '""');
      await listener.query(`LISTEN "${channel}"`);
      this.listener = listener;
      this.listening = true;
    } catch (error) {
      this.logger.warn(`Stream LISTEN unavailable (${(error as Error).message}); polling the outbox meanwhile`);
      await listener.end().catch(() => undefined);
      this.relisten();
    }
  }

  private relisten(): void {
    if (this.closing) return;
    setTimeout(() => {
      if (!this.closing && !this.listener) void this.listenPostgres();
    }, RELISTEN_MS).unref();
  }

  /** Drops events older than the replay window (every replica may run it; the DELETE is idempotent). */
  private async prune(): Promise<void> {
    try {
      await this.dataSource.query(`DELETE FROM stream_events WHERE created_at < now() - interval '${REPLAY_WINDOW}'`);
    } catch (error) {
      this.logger.warn(`Pruning the stream outbox failed: ${(error as Error).message}`);
    }
  }
}
