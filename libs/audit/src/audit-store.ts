import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  AuditChainKey,
  type AuditEntry,
  CHAIN_ALG,
  GENESIS_HASH,
  LEGACY_CHAIN_ALG,
  legacyChainHash,
} from './audit-chain';

/** Fixed key: every replica serialises chain extension on the same advisory lock. */
export const AUDIT_CHAIN_LOCK_KEY = 7_340_432_006;
/** Fixed key: one verification at a time across replicas. */
export const AUDIT_VERIFY_LOCK_KEY = 7_340_432_007;
/** Rows per INSERT statement: 18 parameters each stays far below Postgres's 65,535. */
const ROWS_PER_STATEMENT = 1000;
const VERIFY_PAGE = 2000;
const COLUMNS = [
  'id',
  'occurred_at',
  'request_id',
  'actor',
  'token_id',
  'ip',
  'method',
  'route',
  'path',
  'status',
  'duration_ms',
  'user_agent',
  'event',
  'detail',
  'prev_hash',
  'hash',
  'chain_alg',
  'key_id',
] as const;

export interface AuditRow {
  id: string;
  seq: string;
  occurred_at: Date;
  request_id: string | null;
  actor: string;
  token_id: string | null;
  ip: string | null;
  method: string | null;
  route: string | null;
  path: string | null;
  status: number | null;
  duration_ms: string | null;
  user_agent: string | null;
  event: string;
  detail: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
  chain_alg: string;
  key_id: string | null;
}

export interface AuditFilter {
  actor?: string;
  event?: string;
  status?: number;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** Why verification failed: which rule the first broken record (or the chain) breaks. */
export type VerifyFailure =
  /** The record's content no longer matches its link (edited). */
  | 'hash_mismatch'
  /** The record does not name its predecessor (a record before it was deleted, inserted or moved). */
  | 'broken_link'
  /** Sealed under another key than AUDIT_HMAC_KEY (the key changed, or the row was forged). */
  | 'unknown_key'
  /** An unkeyed link where only keyed ones may be (after the records written before the upgrade). */
  | 'unkeyed_record'
  /** The record a previous verification ended at is gone or changed, with nothing after it to name. */
  | 'truncated';

export interface VerifyResult {
  valid: boolean;
  checked: number;
  first_broken_id: string | null;
  reason: VerifyFailure | null;
  /** True when the whole chain was checked; false when it resumed from the last checkpoint. */
  full: boolean;
}

/** Thrown when another verification holds the lock (any replica). */
export class VerifyBusyError extends Error {
  constructor() {
    super('another audit chain verification is running');
  }
}

interface ChainState {
  seq: string;
  hash: string;
}

const CHECKPOINT = 'checkpoint';
const LEGACY_BOUNDARY = 'legacy_boundary';

export function rowToEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    requestId: row.request_id,
    actor: row.actor,
    tokenId: row.token_id,
    ip: row.ip,
    method: row.method,
    route: row.route,
    path: row.path,
    status: row.status,
    durationMs: row.duration_ms,
    userAgent: row.user_agent,
    event: row.event,
    detail: row.detail,
  };
}

/** Postgres side of the audit trail: chained batch inserts, queries and verification. */
@Injectable()
export class AuditStore {
  /** Set once this process has made sure the legacy boundary is sealed. */
  private boundaryChecked = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly key: AuditChainKey,
  ) {}

  /**
   * Appends a batch to the chain in one transaction under the chain's advisory lock, so
   * batches of concurrent replicas never fork it. Entries already stored (a retry after a
   * lost commit acknowledgement) are skipped; a caller that knows no entry of the batch was
   * ever sent (`mayBeStored: false`, a first attempt) spares Postgres that lookup, one index
   * probe per row. Returns how many rows were inserted.
   */
  async append(
    entries: readonly AuditEntry[],
    { mayBeStored = true }: { mayBeStored?: boolean } = {},
  ): Promise<number> {
    if (entries.length === 0) return 0;
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      try {
        const inserted = await this.appendLocked(runner, entries, mayBeStored);
        await runner.commitTransaction();
        return inserted;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  private async appendLocked(
    runner: QueryRunner,
    entries: readonly AuditEntry[],
    mayBeStored: boolean,
  ): Promise<number> {
    await runner.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]);
    if (!this.boundaryChecked) await this.sealLegacyBoundary(runner);
    let fresh = entries;
    if (mayBeStored) {
      const existing = (await runner.query('SELECT id FROM audit_records WHERE id = ANY($1::uuid[])', [
        entries.map((e) => e.id),
      ])) as { id: string }[];
      const stored = new Set(existing.map((r) => r.id));
      fresh = entries.filter((e) => !stored.has(e.id));
    }
    if (fresh.length === 0) return 0;
    const last = (await runner.query('SELECT hash FROM audit_records ORDER BY seq DESC LIMIT 1')) as { hash: string }[];
    let prevHash = last[0]?.hash ?? GENESIS_HASH;
    const rows: unknown[][] = fresh.map((entry) => {
      const hash = this.key.link(prevHash, entry);
      const row = [
        entry.id,
        entry.occurredAt,
        entry.requestId,
        entry.actor,
        entry.tokenId,
        entry.ip,
        entry.method,
        entry.route,
        entry.path,
        entry.status,
        entry.durationMs,
        entry.userAgent,
        entry.event,
        entry.detail === null ? null : JSON.stringify(entry.detail),
        prevHash,
        hash,
        CHAIN_ALG,
        this.key.id,
      ];
      prevHash = hash;
      return row;
    });
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
      const values = chunk
        .map((_, r) => `(${COLUMNS.map((__, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`)
        .join(', ');
      // Rows are inserted in list order, so `seq` follows the chain.
      await runner.query(`INSERT INTO audit_records (${COLUMNS.join(', ')}) VALUES ${values}`, chunk.flat());
    }
    return fresh.length;
  }

  async list(filter: AuditFilter): Promise<{ rows: AuditRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.event !== undefined) add('event = ?', filter.event);
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
    if (filter.to !== undefined) add('occurred_at <= ?', filter.to);
    const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [countRows, rows] = await Promise.all([
      this.dataSource.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM audit_records ${whereSql}`,
        params,
      ),
      this.dataSource.query<AuditRow[]>(
        `SELECT * FROM audit_records ${whereSql} ORDER BY seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filter.limit, filter.offset],
      ),
    ]);
    return { rows, total: countRows[0]?.total ?? 0 };
  }

  /**
   * The records written before the chain was keyed end at a boundary that is sealed under
   * the key the first time a keyed record is appended; unkeyed links are accepted up to it
   * and nowhere else. Once keyed records exist a missing boundary is never re-created: it
   * was deleted, and `verify` says so.
   */
  private async sealLegacyBoundary(runner: QueryRunner): Promise<void> {
    const [existing] = (await runner.query('SELECT 1 FROM audit_chain_state WHERE name = $1', [LEGACY_BOUNDARY])) as [
      unknown?,
    ];
    if (!existing) {
      const [keyed] = (await runner.query('SELECT 1 FROM audit_records WHERE chain_alg <> $1 LIMIT 1', [
        LEGACY_CHAIN_ALG,
      ])) as [unknown?];
      if (!keyed) {
        const [last] = (await runner.query(
          'SELECT seq, hash FROM audit_records WHERE chain_alg = $1 ORDER BY seq DESC LIMIT 1',
          [LEGACY_CHAIN_ALG],
        )) as ChainState[];
        await this.saveState(runner, LEGACY_BOUNDARY, last ?? { seq: '0', hash: GENESIS_HASH });
      }
    }
    this.boundaryChecked = true;
  }

  private async saveState(runner: QueryRunner | DataSource, name: string, state: ChainState): Promise<void> {
    await runner.query(
      `INSERT INTO audit_chain_state (name, seq, hash, key_id, tag, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (name) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, key_id = EXCLUDED.key_id,
         tag = EXCLUDED.tag, updated_at = EXCLUDED.updated_at`,
      [name, state.seq, state.hash, this.key.id, this.key.tag(name, state.seq, state.hash)],
    );
  }

  /** A state row, only if its tag proves it was written by a holder of the current key. */
  private async loadState(runner: QueryRunner, name: string): Promise<ChainState | undefined> {
    const [row] = (await runner.query('SELECT seq, hash, tag FROM audit_chain_state WHERE name = $1', [
      name,
    ])) as (ChainState & {
      tag: string;
    })[];
    if (!row || row.tag !== this.key.tag(name, String(row.seq), row.hash)) return undefined;
    return { seq: String(row.seq), hash: row.hash };
  }

  /**
   * Recomputes every link after the last checkpoint (every link with `full`), in `seq`
   * order: an edited record breaks its own link, a deleted, inserted or reordered one its
   * successor's. One verification runs at a time across replicas (a transaction-scoped
   * advisory lock); a second one gets `VerifyBusyError` at once instead of queueing work.
   * A successful run moves the checkpoint, sealed under the key, to the last record.
   */
  async verify(full: boolean): Promise<VerifyResult> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      try {
        const [lock] = (await runner.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [AUDIT_VERIFY_LOCK_KEY])) as {
          ok: boolean;
        }[];
        if (!lock?.ok) throw new VerifyBusyError();
        const result = await this.verifyLocked(runner, full);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  private async verifyLocked(runner: QueryRunner, full: boolean): Promise<VerifyResult> {
    const boundary = await this.loadState(runner, LEGACY_BOUNDARY);
    let start: ChainState = { seq: '0', hash: GENESIS_HASH };
    let truncated = false;
    if (!full) {
      const checkpoint = await this.loadState(runner, CHECKPOINT);
      if (checkpoint) {
        const [row] = (await runner.query('SELECT hash FROM audit_records WHERE seq = $1', [checkpoint.seq])) as {
          hash: string;
        }[];
        // The checkpointed record changed or vanished: only a full walk can say where.
        if (row?.hash === checkpoint.hash) start = checkpoint;
        else truncated = true;
      }
    }
    const resumed = start.seq !== '0';
    let prevHash = start.hash;
    let afterSeq = start.seq;
    let checked = 0;
    const broken = (row: AuditRow, reason: VerifyFailure): VerifyResult => ({
      valid: false,
      checked,
      first_broken_id: row.id,
      reason,
      full: !resumed,
    });
    for (;;) {
      const rows = (await runner.query('SELECT * FROM audit_records WHERE seq > $1 ORDER BY seq ASC LIMIT $2', [
        afterSeq,
        VERIFY_PAGE,
      ])) as AuditRow[];
      for (const row of rows) {
        checked++;
        if (row.prev_hash !== prevHash) return broken(row, 'broken_link');
        if (row.chain_alg === CHAIN_ALG) {
          if (row.key_id !== this.key.id) return broken(row, 'unknown_key');
          if (this.key.link(row.prev_hash, rowToEntry(row)) !== row.hash) return broken(row, 'hash_mismatch');
        } else {
          const legacy = row.chain_alg === LEGACY_CHAIN_ALG && boundary && BigInt(row.seq) <= BigInt(boundary.seq);
          if (!legacy) return broken(row, 'unkeyed_record');
          if (legacyChainHash(row.prev_hash, rowToEntry(row)) !== row.hash) return broken(row, 'hash_mismatch');
          if (row.seq === boundary.seq && row.hash !== boundary.hash) return broken(row, 'hash_mismatch');
        }
        prevHash = row.hash;
        afterSeq = row.seq;
      }
      if (rows.length < VERIFY_PAGE) break;
    }
    if (truncated) return { valid: false, checked, first_broken_id: null, reason: 'truncated', full: true };
    if (afterSeq !== start.seq) await this.saveState(runner, CHECKPOINT, { seq: afterSeq, hash: prevHash });
    return { valid: true, checked, first_broken_id: null, reason: null, full: !resumed };
  }
}
