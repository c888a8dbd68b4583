import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { AuthGuard, AuthModule } from '@app/auth';
import {
  CommonModule,
  ConnectionLossRetryInterceptor,
  createValidationPipe,
  ProblemDetailsFilter,
  StrictQueryInterceptor,
} from '@app/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EdgeModule, RateLimitGuard } from '@app/edge';
import { HealthModule } from '@app/health';
import { MetricsModule } from '@app/metrics';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { TransparencyModule } from '@app/transparency';

/**
 * Composes the libraries into the API. Takes the already-validated configuration, so the
 * process reads its environment exactly once (main.ts) and tests pass their own.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        RedisModule,
        DatabaseModule.forRoot(),
        HealthModule,
        ObservabilityModule,
        MetricsModule,
        AuditModule,
        AuthModule,
        EdgeModule,
        TransparencyModule,
      ],
      providers: [
        // Global guards run in this order: the rate limit first, so 401s and 403s are counted.
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: StrictQueryInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ConnectionLossRetryInterceptor },
      ],
    };
  }
}
