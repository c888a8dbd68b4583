import type { AppConfig } from '@app/config';
import { Client, type ClientConfig } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/**
 * A pooled connection that can never crash the process. When a backend is terminated, the
 * server's FATAL message and the socket's end can reach a client while no one listens on
 * it (pg-pool takes its listener off at checkout, TypeORM puts its own on a tick later, and
 * each removes its own after the first error): an `error` event with no listener is thrown
 * and kills the process. The pool and TypeORM still see every error and evict the client;
 * this listener only makes sure there always is one.
 */
class NeverUnhandledClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/**
 * The one options builder: the API, the CLI and the tests all get their DataSource from
 * here, so pool size, migrations and naming never drift between them.
 */
export function buildDataSourceOptions(
  config: AppConfig,
  url: string,
  entities: DataSourceOptions['entities'] = [],
): DataSourceOptions {
  // PGlite is one session: a pool of one serialises requests instead of interleaving them.
  const poolMax = config.database.embedded ? 1 : config.database.poolMax;
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsRun: false,
    synchronize: false,
    poolSize: poolMax,
    applicationName: 'transparency-api',
    connectTimeoutMS: 5000,
    extra: {
      Client: NeverUnhandledClient,
      max: poolMax,
      idleTimeoutMillis: 30_000,
      // A request waits at most this long for a pooled connection before failing with 503.
      connectionTimeoutMillis: 5_000,
    },
    logging: ['error', 'warn', 'migration'],
  };
}
