export {
  AuditChainKey,
  type AuditEntry,
  canonicalContent,
  CHAIN_ALG,
  GENESIS_HASH,
  LEGACY_CHAIN_ALG,
  legacyChainHash,
} from './audit-chain';
export { AuditCliModule, AuditModule } from './audit.module';
export { AuditService, HTTP_REQUEST_EVENT } from './audit.service';
export {
  AUDIT_CHAIN_LOCK_KEY,
  AUDIT_VERIFY_LOCK_KEY,
  type AuditRow,
  AuditStore,
  rowToEntry,
  type VerifyFailure,
  type VerifyResult,
} from './audit-store';
export { AuditChainStateEntity } from './entities/audit-chain-state.entity';
export { AuditRecordEntity } from './entities/audit-record.entity';
