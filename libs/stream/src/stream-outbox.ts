import { Injectable, Logger } from '@nestjs/common';
import { withTimeout } from '@app/common';
import { RedisService } from '@app/redis';
import type { EntityManager } from 'typeorm';
import type { StreamEventType } from './stream-topics';

/** Serialises outbox writes, so ids commit in id order (see `record`). */
export const STREAM_OUTBOX_LOCK_KEY = 7_340_432_013;
/** Redis channel (after the key prefix) and Postgres NOTIFY channel (before the schema) that wake the hubs. */
export const STREAM_WAKE_CHANNEL = 'stream:events';
export const STREAM_NOTIFY_PREFIX = 'stream_events:';

const PUBLISH_TIMEOUT_MS = 250;

/**
 * Records stream events inside the caller's transaction (the outbox pattern: an event exists
 * exactly when its write committed), and wakes every replica's hub after the commit.
 */
@Injectable()
export class StreamOutbox {
  private readonly logger = new Logger('Stream');
  private readonly committedListeners: (() => void)[] = [];

  constructor(private readonly redis: RedisService) {}

  /**
   * Appends `payloads` (already in the shape the matching read returns) as `type` events, in
   * order. Call inside the ingest's transaction, after its own writes.
   *
   * A bigserial id is taken at INSERT but becomes visible at COMMIT, so without care a later id
   * can be visible before an earlier one and a reader that advanced past it would skip it for
   * good. A transaction advisory lock makes "take ids, commit" one critical section across
   * replicas: ids become visible strictly in order. It is held from here to the commit, so this
   * is one statement, the last of the transaction: the lock (in a CTE every inserted row is
   * joined with, so it is taken before the first id is drawn), the rows (one JSON array
   * parameter expanded in order, ids drawn in that order) and the NOTIFY (delivered at commit,
   * to the hubs LISTENing when there is no Redis; harmless otherwise).
   */
  async record(manager: EntityManager, type: StreamEventType, payloads: readonly unknown[]): Promise<void> {
    if (payloads.length === 0) return;
    await manager.query(
      `WITH locked AS (SELECT pg_advisory_xact_lock($1), pg_notify($2 || current_schema(), ''))
       INSERT INTO stream_events (topic, payload)
       SELECT $3, e.payload FROM locked, json_array_elements($4::json) WITH ORDINALITY AS e(payload, n)
       ORDER BY e.n`,
      [STREAM_OUTBOX_LOCK_KEY, STREAM_NOTIFY_PREFIX, type, JSON.stringify(payloads)],
    );
  }

  /** The local hub's wake-up: this replica's streams get its own writes without a round trip. */
  onCommitted(listener: () => void): void {
    this.committedListeners.push(listener);
  }

  /** After the commit: wakes this replica's hub at once and the others' over Redis (a lost message is caught by their polling). */
  async announce(): Promise<void> {
    for (const listener of this.committedListeners) listener();
    const client = this.redis.client;
    if (!client) return;
    try {
      await withTimeout(client.publish(`${this.redis.keyPrefix}${STREAM_WAKE_CHANNEL}`, ''), PUBLISH_TIMEOUT_MS);
    } catch (error) {
      this.logger.debug?.(`Stream wake-up not published (${(error as Error).message}); hubs will poll`);
    }
  }
}
