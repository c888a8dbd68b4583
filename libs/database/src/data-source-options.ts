import type { AppConfig } from '@app/config';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

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
      max: poolMax,
      idleTimeoutMillis: 30_000,
      // A request waits at most this long for a pooled connection before failing with 503.
      connectionTimeoutMillis: 5_000,
    },
    logging: ['error', 'warn', 'migration'],
  };
}
