import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The source of truth for revocation: replicas cache it in memory, hear new entries over
 * Redis and poll by `tx_id` for what they missed. A row is pruned once the token it names
 * has expired anyway.
 */
@Entity({ name: 'revoked_tokens' })
export class RevokedTokenEntity {
  @PrimaryColumn('uuid')
  jti!: string;

  @Index('idx_revoked_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Database clock (the writing transaction's start): for people reading the table, not for polling. */
  @Column({ name: 'revoked_at', type: 'timestamptz', default: () => 'now()' })
  revokedAt!: Date;

  /**
   * The id of the transaction that wrote the row (`pg_current_xact_id()`). Replicas poll
   * `tx_id >= ` the oldest transaction still running at their previous poll, so a revocation
   * whose transaction commits late is still read: a timestamp or a sequence is assigned before
   * commit and would let a poll step past it. `current_tx_id()` is
   * `pg_current_xact_id()` as a bigint (a migration creates it).
   */
  @Index('idx_revoked_tokens_tx_id')
  @Column({ name: 'tx_id', type: 'bigint', default: () => 'current_tx_id()' })
  txId!: string;

  @Column({ type: 'varchar', length: 64 })
  reason!: string;
}
