import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The source of truth for revocation (SPEC §3): replicas cache it in memory, hear new
 * entries over Redis and poll `revoked_at` for what they missed. A row is pruned once the
 * token it names has expired anyway.
 */
@Entity({ name: 'revoked_tokens' })
export class RevokedTokenEntity {
  @PrimaryColumn('uuid')
  jti!: string;

  @Index('idx_revoked_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Database clock, so replicas poll against one clock. */
  @Index('idx_revoked_tokens_revoked_at')
  @Column({ name: 'revoked_at', type: 'timestamptz', default: () => 'now()' })
  revokedAt!: Date;

  @Column({ type: 'varchar', length: 64 })
  reason!: string;
}
