import type { Pool } from 'pg';
import type { AfterQueryEvent, BeforeQueryEvent, DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { getOrCreateGauge, getOrCreateHistogram, LATENCY_BUCKETS_SECONDS } from './registry';

const queryDuration = getOrCreateHistogram({
  name: 'db_query_duration_seconds',
  help: 'Postgres query time seen by TypeORM, by operation and outcome.',
  labelNames: ['operation', 'success'] as const,
  buckets: LATENCY_BUCKETS_SECONDS,
});

/** Every pool in this process (several app instances share one registry in tests). */
const pools = new Set<Pool>();

function poolStats(): { total: number; idle: number } {
  let total = 0;
  let idle = 0;
  for (const pool of pools) {
    total += pool.totalCount;
    idle += pool.idleCount;
  }
  return { total, idle };
}

getOrCreateGauge({
  name: 'db_connections_active',
  help: 'Pooled Postgres connections checked out.',
  collect() {
    const { total, idle } = poolStats();
    this.set(total - idle);
  },
});
getOrCreateGauge({
  name: 'db_connections_idle',
  help: 'Pooled Postgres connections idle.',
  collect() {
    this.set(poolStats().idle);
  },
});

const OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback']);

/** The statement's first keyword, from a fixed set: a bounded label, never the SQL. */
export function queryOperation(sql: string): string {
  const keyword = /^\s*(?:\/\*.*?\*\/\s*)?([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? '';
  if (keyword === 'start') return 'begin';
  return OPERATIONS.has(keyword) ? keyword : 'other';
}

/**
 * Times queries with a monotonic clock: TypeORM's own `executionTime` is whole
 * milliseconds, too coarse for sub-millisecond queries. A query runner runs its queries
 * one at a time in order, so a FIFO of start times per runner pairs them up.
 */
export class QueryTimingSubscriber implements EntitySubscriberInterface {
  private readonly starts = new WeakMap<QueryRunner, bigint[]>();

  beforeQuery(event: BeforeQueryEvent): void {
    const queue = this.starts.get(event.queryRunner);
    if (queue) queue.push(process.hrtime.bigint());
    else this.starts.set(event.queryRunner, [process.hrtime.bigint()]);
  }

  afterQuery(event: AfterQueryEvent): void {
    const start = this.starts.get(event.queryRunner)?.shift();
    const seconds =
      start === undefined ? (event.executionTime ?? 0) / 1000 : Number(process.hrtime.bigint() - start) / 1e9;
    queryDuration.observe({ operation: queryOperation(event.query), success: String(event.success) }, seconds);
  }
}

/** Adds the timing subscriber and the pool gauges to a DataSource; returns the detach function. */
export function instrumentDataSource(dataSource: DataSource): () => void {
  const subscriber = new QueryTimingSubscriber();
  dataSource.subscribers.push(subscriber);
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (pool) pools.add(pool);
  return () => {
    const index = dataSource.subscribers.indexOf(subscriber);
    if (index !== -1) dataSource.subscribers.splice(index, 1);
    if (pool) pools.delete(pool);
  };
}
