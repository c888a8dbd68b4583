import type { Logger as PinoLogger } from 'pino';
import type { Logger as TypeOrmLogger } from 'typeorm';

const SQL_MAX = 300;

function message(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

/**
 * TypeORM's own messages as structured lines on the app's logger. Statements are logged
 * truncated and never with their parameters: those carry usernames, password hashes and
 * token digests.
 */
export class PinoTypeOrmLogger implements TypeOrmLogger {
  constructor(private readonly logger: PinoLogger) {}

  logQuery(): void {
    // Every statement is timed by db_query_duration_seconds; logging each would drown the logs.
  }

  logQueryError(error: string | Error, query: string, _parameters?: unknown): void {
    this.logger.warn({ context: 'TypeORM', query: query.slice(0, SQL_MAX), error: message(error) }, 'query failed');
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown): void {
    this.logger.warn({ context: 'TypeORM', query: query.slice(0, SQL_MAX), duration_ms: time }, 'slow query');
  }

  logSchemaBuild(): void {
    // Schema changes go through reviewed migrations only.
  }

  logMigration(text: string): void {
    this.logger.info({ context: 'TypeORM' }, text);
  }

  log(level: 'log' | 'info' | 'warn', value: unknown): void {
    if (level === 'warn') this.logger.warn({ context: 'TypeORM' }, message(value));
    else this.logger.debug({ context: 'TypeORM' }, message(value));
  }
}
