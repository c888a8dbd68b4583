import { type DynamicModule, Module } from '@nestjs/common';
import { AuditCliModule } from '@app/audit';
import { AuthCoreModule } from '@app/auth';
import { CommonModule } from '@app/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { RedisModule } from '@app/redis';
import { TransparencyCliModule } from '@app/transparency';

/**
 * The CLI's composition root: the same libraries as the API, without HTTP. Every feature
 * that owns tables is imported here, so `migration:generate` sees every entity.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        RedisModule,
        DatabaseModule.forRoot({ shareRunningEmbedded: true }),
        TransparencyCliModule,
        AuthCoreModule,
        AuditCliModule,
      ],
    };
  }
}
