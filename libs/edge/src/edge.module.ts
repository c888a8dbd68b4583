import { Module } from '@nestjs/common';
import { getOptionsToken, getStorageToken, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppConfig } from '@app/config';
import { RateLimitGuard, UNUSED_THROTTLER_STORAGE } from './rate-limit/rate-limit.guard';
import { rateLimitRules } from './rate-limit/rate-limit.rules';
import { RateLimitStorage } from './rate-limit/rate-limit.storage';

/**
 * Rate limiting (docs/security.md). Provides the `@nestjs/throttler` options token itself (instead of
 * importing ThrottlerModule) so that the storage is an ordinary provider with the shared Redis
 * client injected and its shutdown hook run. The `ThrottlerStorage` token holds a stub that
 * refuses: the guard decides every limit through `RateLimitStorage.consume`. The app registers
 * `RateLimitGuard` as a global guard, before the authorization guard.
 */
@Module({
  providers: [
    RateLimitStorage,
    {
      provide: getOptionsToken(),
      useFactory: (config: AppConfig): ThrottlerModuleOptions => ({
        throttlers: rateLimitRules(config).map((rule) => ({
          name: rule.name,
          limit: rule.limit,
          ttl: rule.windowMs,
          blockDuration: rule.blockMs,
        })),
      }),
      inject: [AppConfig],
    },
    { provide: getStorageToken(), useValue: UNUSED_THROTTLER_STORAGE },
    RateLimitGuard,
  ],
  exports: [RateLimitGuard, RateLimitStorage],
})
export class EdgeModule {}
