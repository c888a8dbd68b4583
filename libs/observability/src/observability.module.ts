import type { EventEmitter } from 'node:events';
import {
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { AppConfig } from '@app/config';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { createRootLogger, ROOT_LOGGER } from './logger';
import { RequestObserver } from './request-observer.service';
import { activeTracing } from './tracing';
import { PinoTypeOrmLogger } from './typeorm-logger';

/** TypeORM logs through pino too, so stdout stays one JSON object per line, free of SQL parameters. */
@Injectable()
class DatabaseLogBridge implements OnModuleInit {
  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Optional() private readonly dataSource?: DataSource,
  ) {}

  onModuleInit(): void {
    if (!this.dataSource) return;
    // The DataSource is built before any module exists; its logger is swapped in place.
    const logger = new PinoTypeOrmLogger(this.logger);
    (this.dataSource as { logger: DataSource['logger'] }).logger = logger;
    // The pool's error handler captured the console logger when the pool was created.
    const pool = (this.dataSource.driver as { master?: EventEmitter }).master;
    if (pool) {
      const previous = pool.listeners('error');
      pool.on('error', (error: Error) => logger.log('warn', `Postgres pool raised an error: ${error.message}`));
      for (const listener of previous) pool.off('error', listener as (...args: unknown[]) => void);
    }
  }
}

/** Spans of the last requests are exported before the process exits. */
@Injectable()
class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await activeTracing()
      ?.flush()
      .catch(() => undefined);
  }
}

/** One root logger per app, shared by nestjs-pino and the request hook. */
@Module({
  providers: [
    {
      provide: ROOT_LOGGER,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Logger => createRootLogger(config),
    },
  ],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

/**
 * Structured logs (pino through nestjs-pino) and the request hook audit and metrics
 * subscribe to. Global: every feature may log or observe requests.
 */
@Global()
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      // No per-request middleware (`forRoutes: []`): nestjs-pino would enter an
      // AsyncLocalStorage for every request to bind a child logger to Nest's Logger, and an
      // active AsyncLocalStorage makes every promise of the process pay async hooks (about a
      // fifth of a cached read's CPU, docs/benchmarks.md). The few lines logged inside a
      // request name its id themselves (`requestLogFields`); the access log always does.
      useFactory: (logger: Logger) => ({
        pinoHttp: { logger },
        useExisting: true as const,
        forRoutes: [],
      }),
    }),
  ],
  providers: [RequestObserver, TracingFlush, DatabaseLogBridge],
  exports: [RootLoggerModule, RequestObserver, LoggerModule],
})
export class ObservabilityModule {}
