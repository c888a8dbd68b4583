import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Scope } from '@app/common';

export type IssuedTokenKind = 'access' | 'service';

/**
 * Metadata of every JWT this API signed (never the token itself): lets an admin list and
 * revoke tokens by id, and lets a family or a disabled user's tokens be found and revoked.
 */
@Entity({ name: 'tokens' })
export class IssuedTokenEntity {
  /** The token's `jti`. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: IssuedTokenKind;

  @Column({ type: 'varchar', length: 128 })
  subject!: string;

  @Index('idx_tokens_user_id')
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Index('idx_tokens_family_id')
  @Column({ name: 'family_id', type: 'uuid', nullable: true })
  familyId!: string | null;

  @Column({ type: 'text', array: true })
  scopes!: Scope[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 128, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
