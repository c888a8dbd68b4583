import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Scope } from '@app/common';

/**
 * Usernames are unique case-insensitively (`uq_users_username_lower` on `lower(username)`,
 * created by a migration: TypeORM cannot declare an expression index), as login and lock-out
 * treat them: `Admin` and `admin` are one user.
 */
@Entity({ name: 'users' })
@Index('uq_users_username_lower', { synchronize: false })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  /** argon2id PHC string; never leaves the service. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes!: Scope[];

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
