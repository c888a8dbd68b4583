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

const INSERT_CHUNK = 500;
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
   * good. The transaction advisory lock taken first makes "take ids, commit" one critical section
   * across replicas: ids become visible strictly in order. It is held only from here to the
   * commit, which is why the outbox is written last.
   */
  async record(manager: EntityManager, type: StreamEventType, payloads: readonly unknown[]): Promise<void> {
    if (payloads.length === 0) return;
    await manager.query('SELECT pg_advisory_xact_lock($1)', [STREAM_OUTBOX_LOCK_KEY]);
    for (let start = 0; start < payloads.length; start += INSERT_CHUNK) {
      const chunk = payloads.slice(start, start + INSERT_CHUNK);
      const params: string[] = [type];
      const values = chunk.map((payload) => {
        params.push(JSON.stringify(payload));
        return `($1, $${params.length}::json)`;
      });
      await manager.query(`INSERT INTO stream_events (topic, payload) VALUES ${values.join(', ')}`, params);
    }
    // Delivered at commit, to the hubs LISTENing when there is no Redis; harmless otherwise.
    await manager.query(`SELECT pg_notify($1 || current_schema(), '')`, [STREAM_NOTIFY_PREFIX]);
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
