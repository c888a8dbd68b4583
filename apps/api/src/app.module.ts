import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { AuthModule, BearerAuthGuard, ScopesGuard } from '@app/auth';
import {
  CommonModule,
  createValidationPipe,
  JsonBodyGuard,
  ProblemDetailsFilter,
  StrictQueryGuard,
  UnmatchedRouteModule,
} from '@app/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EdgeModule, RateLimitGuard } from '@app/edge';
import { HealthModule } from '@app/health';
import { MetricsModule } from '@app/metrics';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { StreamModule } from '@app/stream';
import { CacheControlGuard, TransparencyModule } from '@app/transparency';

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
        StreamModule,
        // Last: its catch-all route answers what no other route matched (404, after the guards).
        UnmatchedRouteModule,
      ],
      providers: [
        // Global guards run in this order (docs/security.md): the bearer token is verified without
        // rejecting, the throttler counts the request under the verified subject, and only
        // then does the scopes guard reject (401/403), so refusals are counted and limited.
        // Then the body is read (only now, for handlers that take one), unknown query
        // parameters are refused, and the Cache-Control decision is made. Guards, not global
        // interceptors: no request pays for an rxjs pipeline it does not use (cached reads and
        // database routes attach theirs with @CachedRead / @RetryOnConnectionLoss).
        { provide: APP_GUARD, useExisting: BearerAuthGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useExisting: ScopesGuard },
        { provide: APP_GUARD, useClass: JsonBodyGuard },
        { provide: APP_GUARD, useClass: StrictQueryGuard },
        { provide: APP_GUARD, useExisting: CacheControlGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
