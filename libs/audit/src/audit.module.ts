import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditStore } from './audit-store';
import { AuditRecordEntity } from './entities/audit-record.entity';

/** SPEC §6. Needs ObservabilityModule (request hook), HealthModule and CommonModule (event bus). */
@Module({
  imports: [TypeOrmModule.forFeature([AuditRecordEntity])],
  controllers: [AuditController],
  providers: [AuditStore, AuditService],
  exports: [AuditService],
})
export class AuditModule {}

/**
 * For the CLI: the entity (so `migration:generate` sees the table) and the writer, so that
 * security events of CLI commands (users created, tokens issued) are audited too; the
 * queue is flushed when the CLI closes its application context.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuditRecordEntity])],
  providers: [AuditStore, AuditService],
  exports: [AuditService],
})
export class AuditCliModule {}
