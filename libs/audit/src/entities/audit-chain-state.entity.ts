import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Facts the chain verifier keeps between runs, each sealed with a keyed `tag` so that a
 * database writer without AUDIT_HMAC_KEY can neither move nor invent them:
 * - `checkpoint`: the last record a verification found intact (`verify` resumes after it);
 * - `legacy_boundary`: the last record written before the chain was keyed (unkeyed
 *   `sha256` links are accepted up to it and nowhere else).
 */
@Entity('audit_chain_state')
export class AuditChainStateEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  name!: string;

  /** `seq` of the record the fact is about; 0 before the first record. */
  @Column({ type: 'bigint' })
  seq!: string;

  /** That record's `hash` (64 zeros before the first record). */
  @Column({ type: 'char', length: 64 })
  hash!: string;

  @Column({ name: 'key_id', type: 'varchar', length: 16 })
  keyId!: string;

  /** HMAC over name, seq and hash under the key named by `key_id`. */
  @Column({ type: 'char', length: 64 })
  tag!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
