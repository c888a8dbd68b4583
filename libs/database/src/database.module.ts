import { type DynamicModule, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';
import { EmbeddedPostgres } from './embedded-postgres';
import { runMigrationsLocked } from './migrate';

/** Where the database is: an external server, or the embedded one this process started. */
export class DatabaseEndpoint {
  constructor(
    readonly url: string,
    readonly embedded?: EmbeddedPostgres,
  ) {}
}

@Injectable()
class EmbeddedShutdown implements OnApplicationShutdown {
  constructor(
    private readonly endpoint: DatabaseEndpoint,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.endpoint.embedded) return;
    // Nest runs this module's hook before TypeORM's (it sits deeper), so close the pool
    // here first: stopping the embedded server under open connections would log errors.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.endpoint.embedded.stop();
  }
}

export interface DatabaseModuleOptions {
  /**
   * When another live process (the API) owns the embedded data directory, connect to its
   * socket instead of failing on the lock: how the CLI works beside a running server.
   */
  shareRunningEmbedded?: boolean;
}

@Module({})
class DatabaseEndpointModule {
  static register(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseEndpointModule,
      providers: [
        {
          provide: DatabaseEndpoint,
          inject: [AppConfig],
          useFactory: async (config: AppConfig): Promise<DatabaseEndpoint> => {
            if (config.database.url) return new DatabaseEndpoint(config.database.url);
            const running = options.shareRunningEmbedded
              ? EmbeddedPostgres.findRunning(config.database.dataDir)
              : undefined;
            if (running) return new DatabaseEndpoint(running);
            const embedded = await EmbeddedPostgres.start(config.database.dataDir);
            new Logger('Database').log(
              `Embedded Postgres (PGlite) on ${config.database.dataDir}, port ${embedded.port}`,
            );
            return new DatabaseEndpoint(embedded.url, embedded);
          },
        },
        EmbeddedShutdown,
      ],
      exports: [DatabaseEndpoint],
    };
  }
}

/**
 * TypeORM over `pg`, for an external Postgres (`DATABASE_URL`) or the embedded one.
 * Entities come from the feature modules (`TypeOrmModule.forFeature`, auto-loaded);
 * pending migrations run at start under an advisory lock when MIGRATIONS_RUN is true.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    const endpointModule = DatabaseEndpointModule.register(options);
    return {
      module: DatabaseModule,
      imports: [
        endpointModule,
        TypeOrmModule.forRootAsync({
          imports: [endpointModule],
          inject: [AppConfig, DatabaseEndpoint],
          useFactory: (config: AppConfig, endpoint: DatabaseEndpoint) => ({
            ...buildDataSourceOptions(config, endpoint.url),
            autoLoadEntities: true,
            // Fail fast at boot rather than retrying for a minute: the orchestrator restarts us.
            retryAttempts: 0,
            migrationsRun: config.database.migrationsRun,
          }),
          dataSourceFactory: async (options) => {
            if (!options) throw new Error('TypeORM options missing');
            const { migrationsRun, ...rest } = options;
            const dataSource = await new DataSource({ ...rest, migrationsRun: false }).initialize();
            if (migrationsRun) {
              const applied = await runMigrationsLocked(dataSource);
              if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
            }
            return dataSource;
          },
        }),
      ],
      exports: [TypeOrmModule, endpointModule],
    };
  }
}
