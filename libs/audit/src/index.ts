export { type AuditEntry, canonicalContent, chainHash, GENESIS_HASH } from './audit-chain';
export { AuditCliModule, AuditModule } from './audit.module';
export { AuditService, HTTP_REQUEST_EVENT } from './audit.service';
export { AUDIT_CHAIN_LOCK_KEY, type VerifyResult } from './audit-store';
export { AuditRecordEntity } from './entities/audit-record.entity';
