import { randomBytes } from 'node:crypto';
import { Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { readOrCreateSecretFile } from '@app/common';
import { AppConfig } from '@app/config';
import { AuditChainKey } from './audit-chain';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditStore } from './audit-store';
import { AuditChainStateEntity } from './entities/audit-chain-state.entity';
import { AuditRecordEntity } from './entities/audit-record.entity';

export const GENERATED_AUDIT_KEY_FILE = 'audit-hmac-key';

/**
 * AUDIT_HMAC_KEY, or outside production (where config validation requires it) a key
 * generated once and kept 0600 under DATA_DIR, so the chain survives restarts.
 */
const chainKeyProvider: Provider = {
  provide: AuditChainKey,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => {
    const secret =
      config.audit.hmacKey ??
      readOrCreateSecretFile(config.database.dataDir, GENERATED_AUDIT_KEY_FILE, () =>
        randomBytes(48).toString('base64url'),
      );
    return new AuditChainKey(secret);
  },
};
const ENTITIES = [AuditRecordEntity, AuditChainStateEntity];

/**
 * The audit trail (docs/observability.md). Needs ObservabilityModule (request hook), HealthModule and
 * CommonModule (event bus).
 */
@Module({
  imports: [TypeOrmModule.forFeature(ENTITIES)],
  controllers: [AuditController],
  providers: [chainKeyProvider, AuditStore, AuditService],
  exports: [AuditService],
})
export class AuditModule {}

/**
 * For the CLI: the entity (so `migration:generate` sees the table) and the writer, so that
 * security events of CLI commands (users created, tokens issued) are audited too; the
 * queue is flushed when the CLI closes its application context.
 */
@Module({
  imports: [TypeOrmModule.forFeature(ENTITIES)],
  providers: [chainKeyProvider, AuditStore, AuditService],
  exports: [AuditService],
})
export class AuditCliModule {}
