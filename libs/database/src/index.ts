export { buildDataSourceOptions } from './data-source-options';
export { DatabaseEndpoint, DatabaseModule, type DatabaseModuleOptions } from './database.module';
export { DataDirectoryLockedError, EmbeddedPostgres } from './embedded-postgres';
export { MIGRATION_LOCK_KEY, pendingSchemaChanges, runMigrationsLocked } from './migrate';
export { MIGRATIONS } from './migrations';
