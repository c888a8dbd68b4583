import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CommonModule, createValidationPipe, ProblemDetailsFilter, StrictQueryInterceptor } from '@app/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthModule } from '@app/health';
import { RedisModule } from '@app/redis';

/**
 * Composes the libraries into the API. Takes the already-validated configuration, so the
 * process reads its environment exactly once (main.ts) and tests pass their own.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), CommonModule, RedisModule, DatabaseModule.forRoot(), HealthModule],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: StrictQueryInterceptor },
      ],
    };
  }
}
