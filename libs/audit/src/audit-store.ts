import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { type AuditEntry, chainHash, GENESIS_HASH } from './audit-chain';

/** Fixed key: every replica serialises chain extension on the same advisory lock. */
export const AUDIT_CHAIN_LOCK_KEY = 7_340_432_006;
/** Rows per INSERT statement: 16 parameters each stays far below Postgres's 65,535. */
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

export interface VerifyResult {
  valid: boolean;
  checked: number;
  first_broken_id: string | null;
}

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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends a batch to the chain in one transaction under the chain's advisory lock, so
   * batches of concurrent replicas never fork it. Entries already stored (a retry after a
   * lost commit acknowledgement) are skipped. Returns how many rows were inserted.
   */
  async append(entries: readonly AuditEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      try {
        const inserted = await this.appendLocked(runner, entries);
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

  private async appendLocked(runner: QueryRunner, entries: readonly AuditEntry[]): Promise<number> {
    await runner.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]);
    const existing = (await runner.query('SELECT id FROM audit_records WHERE id = ANY($1::uuid[])', [
      entries.map((e) => e.id),
    ])) as { id: string }[];
    const stored = new Set(existing.map((r) => r.id));
    const fresh = entries.filter((e) => !stored.has(e.id));
    if (fresh.length === 0) return 0;
    const last = (await runner.query('SELECT hash FROM audit_records ORDER BY seq DESC LIMIT 1')) as { hash: string }[];
    let prevHash = last[0]?.hash ?? GENESIS_HASH;
    const rows: unknown[][] = fresh.map((entry) => {
      const hash = chainHash(prevHash, entry);
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
   * Walks the whole chain in `seq` order, recomputing every hash: an edited row breaks
   * its own hash, a deleted or reordered one breaks its successor's link.
   */
  async verify(): Promise<VerifyResult> {
    let prevHash = GENESIS_HASH;
    let afterSeq = '0';
    let checked = 0;
    for (;;) {
      const rows = await this.dataSource.query<AuditRow[]>(
        'SELECT * FROM audit_records WHERE seq > $1 ORDER BY seq ASC LIMIT $2',
        [afterSeq, VERIFY_PAGE],
      );
      for (const row of rows) {
        checked++;
        if (row.prev_hash !== prevHash || chainHash(row.prev_hash, rowToEntry(row)) !== row.hash) {
          return { valid: false, checked, first_broken_id: row.id };
        }
        prevHash = row.hash;
      }
      if (rows.length < VERIFY_PAGE) return { valid: true, checked, first_broken_id: null };
      afterSeq = rows[rows.length - 1].seq;
    }
  }
}
