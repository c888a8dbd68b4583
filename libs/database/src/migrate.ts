import { type DataSource, MigrationExecutor } from 'typeorm';

/** Arbitrary but fixed: every replica of this API contends for the same advisory lock. */
export const MIGRATION_LOCK_KEY = 7_340_432_001;

/**
 * Applies pending migrations while holding a session-level advisory lock, so replicas that
 * start together run them once: the others wait, then find nothing pending. The lock and
 * the migrations share one connection, which also keeps a pool of one from deadlocking.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** The SQL that would bring the schema in line with the entities: empty when they agree. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<{ up: string[]; down: string[] }> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return {
    up: log.upQueries.map((q) => q.query),
    down: log.downQueries.map((q) => q.query),
  };
}
