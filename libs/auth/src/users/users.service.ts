import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ArrayContains, QueryFailedError, Repository } from 'typeorm';
import { UserEntity } from '../entities/user.entity';
import type { Scope } from '@app/common';
import { TokensService } from '../tokens/tokens.service';
import { PasswordService } from './password.service';

export class UsernameTakenError extends Error {
  constructor(username: string) {
    super(`A user named "${username}" already exists.`);
  }
}

export interface UserChanges {
  scopes?: Scope[];
  disabled?: boolean;
}

export interface UserUpdate {
  user: UserEntity;
  /** Access tokens revoked because the user was disabled or lost scopes. */
  revokedTokens: number;
}

const UNIQUE_VIOLATION = '23505';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
  ) {}

  async create(input: { username: string; password: string; scopes: Scope[] }): Promise<UserEntity> {
    // Checked first so the usual conflict never reaches the driver, whose error log would
    // print the INSERT parameters (the hash among them); the constraint still settles races.
    if (await this.findByUsername(input.username)) throw new UsernameTakenError(input.username);
    const user = this.users.create({
      id: randomUUID(),
      username: input.username,
      passwordHash: await this.passwords.hash(input.password),
      scopes: [...new Set(input.scopes)],
      disabled: false,
    });
    try {
      await this.users.insert(user);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new UsernameTakenError(input.username);
      }
      throw error;
    }
    return (await this.users.findOneByOrFail({ id: user.id })) satisfies UserEntity;
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { createdAt: 'ASC', username: 'ASC' } });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** Case-insensitive, as the unique index on lower(username) is: `Admin` logs in as `admin`. */
  findByUsername(username: string): Promise<UserEntity | null> {
    // Postgres text cannot hold NUL, so no user has such a name; asking would fail the query (a 500).
    if (username.includes('\0')) return Promise.resolve(null);
    return this.users.createQueryBuilder('u').where('lower(u.username) = lower(:username)', { username }).getOne();
  }

  /** Whether `name` is some user's username (any case) or id: a service token may not take it as subject. */
  async existsByUsernameOrId(name: string): Promise<boolean> {
    if (UUID.test(name) && (await this.users.existsBy({ id: name.toLowerCase() }))) return true;
    return (await this.findByUsername(name)) !== null;
  }

  async adminExists(): Promise<boolean> {
    return this.users.existsBy({ scopes: ArrayContains(['admin']), disabled: false });
  }

  /**
   * Disabling a user revokes its tokens; so does taking a scope away, since its live tokens
   * would otherwise keep the scope until they expire. Granting scopes revokes nothing.
   */
  async update(id: string, changes: UserChanges): Promise<UserUpdate | undefined> {
    const user = await this.users.findOneBy({ id });
    if (!user) return undefined;
    const scopesRemoved = changes.scopes !== undefined && user.scopes.some((s) => !changes.scopes?.includes(s));
    const disabling = changes.disabled === true && !user.disabled;
    if (changes.scopes !== undefined) user.scopes = [...new Set(changes.scopes)];
    if (changes.disabled !== undefined) user.disabled = changes.disabled;
    await this.users.save(user);
    const revokedTokens =
      disabling || scopesRemoved
        ? await this.tokens.revokeUserTokens(user.id, disabling ? 'user_disabled' : 'scopes_reduced')
        : 0;
    return { user: await this.users.findOneByOrFail({ id }), revokedTokens };
  }
}
