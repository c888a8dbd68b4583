import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { IssuedTokenEntity, type IssuedTokenKind } from '../entities/issued-token.entity';
import { RefreshTokenEntity } from '../entities/refresh-token.entity';
import type { UserEntity } from '../entities/user.entity';
import type { Scope } from '@app/common';
import type { AccessTokenClaims } from './access-token.verifier';
import { type Revocation, RevocationStore } from './revocation.service';

export interface TokenPair {
  accessToken: string;
  accessTokenId: string;
  refreshToken: string;
  familyId: string;
  expiresIn: number;
  scopes: Scope[];
}

export interface ServiceToken {
  id: string;
  accessToken: string;
  expiresAt: Date;
  scopes: Scope[];
}

export type RefreshOutcome =
  | { kind: 'rotated'; pair: TokenPair; userId: string }
  | { kind: 'invalid' }
  /** A rotated token came back: someone holds a copy. The family is revoked. */
  | { kind: 'reuse'; familyId: string; userId: string; revokedTokens: number };

const REFRESH_TOKEN_PREFIX = 'rt_';

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Issues, rotates and revokes tokens. Access tokens are JWTs whose metadata (never the
 * token) is kept in `tokens`; refresh tokens are opaque, random, stored as SHA-256.
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly dataSource: DataSource,
    @InjectRepository(IssuedTokenEntity) private readonly tokens: Repository<IssuedTokenEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
    private readonly revocations: RevocationStore,
  ) {}

  /** A new family at login, or the next pair of an existing one at refresh. */
  async issueUserTokens(
    user: UserEntity,
    familyId: string = randomUUID(),
    manager?: EntityManager,
  ): Promise<TokenPair> {
    const run = async (m: EntityManager): Promise<TokenPair> => {
      const now = new Date();
      const ttl = this.config.jwt.accessTokenTtlSeconds;
      const { id, token } = await this.sign(m, {
        kind: 'access',
        subject: user.id,
        userId: user.id,
        familyId,
        scopes: user.scopes,
        description: null,
        createdBy: null,
        username: user.username,
        issuedAt: now,
        ttlSeconds: ttl,
      });
      const refreshToken = `${REFRESH_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      await m.getRepository(RefreshTokenEntity).insert({
        id: randomUUID(),
        familyId,
        userId: user.id,
        tokenHash: hashRefreshToken(refreshToken),
        issuedAt: now,
        expiresAt: new Date(now.getTime() + this.config.jwt.refreshTokenTtlSeconds * 1000),
        rotatedAt: null,
        revokedAt: null,
      });
      return { accessToken: token, accessTokenId: id, refreshToken, familyId, expiresIn: ttl, scopes: user.scopes };
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  async issueServiceToken(input: {
    subject: string;
    scopes: Scope[];
    ttlSeconds: number;
    description?: string | null;
    createdBy?: string | null;
  }): Promise<ServiceToken> {
    const issuedAt = new Date();
    const { id, token, expiresAt } = await this.sign(this.dataSource.manager, {
      kind: 'service',
      subject: input.subject,
      userId: null,
      familyId: null,
      scopes: input.scopes,
      description: input.description ?? null,
      createdBy: input.createdBy ?? null,
      issuedAt,
      ttlSeconds: input.ttlSeconds,
    });
    return { id, accessToken: token, expiresAt, scopes: input.scopes };
  }

  /**
   * Exchanges a refresh token for a new pair (rotation). The conditional UPDATE makes two
   * concurrent uses of one token resolve to one rotation and one re-use.
   */
  async refresh(refreshToken: string, loadUser: (id: string) => Promise<UserEntity | null>): Promise<RefreshOutcome> {
    if (!refreshToken.startsWith(REFRESH_TOKEN_PREFIX) || refreshToken.length > 256) return { kind: 'invalid' };
    const row = await this.refreshTokens.findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
    if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' };
    if (row.rotatedAt) return this.reuse(row);
    const user = await loadUser(row.userId);
    if (!user || user.disabled) return { kind: 'invalid' };

    const outcome = await this.dataSource.transaction(async (m) => {
      const claimed = await m
        .getRepository(RefreshTokenEntity)
        .createQueryBuilder()
        .update()
        .set({ rotatedAt: () => 'now()' })
        .where('id = :id AND rotated_at IS NULL AND revoked_at IS NULL', { id: row.id })
        .execute();
      if (claimed.affected !== 1) return undefined;
      return this.issueUserTokens(user, row.familyId, m);
    });
    if (!outcome) return this.reuse(row);
    return { kind: 'rotated', pair: outcome, userId: user.id };
  }

  private async reuse(row: RefreshTokenEntity): Promise<RefreshOutcome> {
    const revokedTokens = await this.revokeFamily(row.familyId, 'refresh_reuse');
    return { kind: 'reuse', familyId: row.familyId, userId: row.userId, revokedTokens };
  }

  /** Revokes every refresh token and live access token of a login's family; returns the access tokens revoked. */
  async revokeFamily(familyId: string, reason: string): Promise<number> {
    return this.revokeRefreshAndAccess('family_id', familyId, reason);
  }

  /** Every live token of a user (disabling it, or taking scopes away). */
  async revokeUserTokens(userId: string, reason: string): Promise<number> {
    return this.revokeRefreshAndAccess('user_id', userId, reason);
  }

  /** Refresh and access tokens sharing `column = value`, in one transaction, then announced. */
  private async revokeRefreshAndAccess(
    column: 'family_id' | 'user_id',
    value: string,
    reason: string,
  ): Promise<number> {
    const revoked = await this.dataSource.transaction(async (m) => {
      await m
        .getRepository(RefreshTokenEntity)
        .createQueryBuilder()
        .update()
        .set({ revokedAt: () => 'now()' })
        .where(`${column} = :value AND revoked_at IS NULL`, { value })
        .execute();
      return this.revokeWhere(m, `${column} = :value`, { value }, reason);
    });
    await this.revocations.announce(revoked);
    return revoked.length;
  }

  /** Revokes one token by id; undefined when no such token was ever issued. Idempotent. */
  async revokeToken(id: string, reason: string): Promise<IssuedTokenEntity | undefined> {
    const token = await this.tokens.findOneBy({ id });
    if (!token) return undefined;
    const revoked = await this.dataSource.transaction((m) => this.revokeWhere(m, 'id = :id', { id }, reason));
    await this.revocations.announce(revoked);
    return { ...token, revokedAt: token.revokedAt ?? new Date() };
  }

  /** Logout: the caller's token and its family, plus the family of a refresh token it presents. */
  async logout(tokenId: string, subject: string, refreshToken?: string): Promise<void> {
    const token = await this.tokens.findOneBy({ id: tokenId });
    if (token?.familyId) await this.revokeFamily(token.familyId, 'logout');
    else await this.revokeToken(tokenId, 'logout');
    if (refreshToken) {
      const row = await this.refreshTokens.findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
      // Someone else's refresh token is not the caller's to revoke.
      if (row && row.userId === subject && row.familyId !== token?.familyId) {
        await this.revokeFamily(row.familyId, 'logout');
      }
    }
  }

  list(kind?: IssuedTokenKind): Promise<IssuedTokenEntity[]> {
    return this.tokens.find({ where: kind ? { kind } : {}, order: { issuedAt: 'DESC' } });
  }

  /** Access-token metadata of long-expired logins, and dead refresh tokens, are of no use to anyone. */
  async pruneExpired(): Promise<void> {
    await this.tokens
      .createQueryBuilder()
      .delete()
      .where("kind = 'access' AND expires_at < now() - interval '1 day'")
      .execute();
    await this.refreshTokens.createQueryBuilder().delete().where("expires_at < now() - interval '1 day'").execute();
  }

  private async revokeWhere(
    m: EntityManager,
    condition: string,
    parameters: Record<string, string>,
    reason: string,
  ): Promise<Revocation[]> {
    const result = await m
      .getRepository(IssuedTokenEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where(`${condition} AND revoked_at IS NULL AND expires_at > now()`, parameters)
      .returning('"id", "expires_at"')
      .execute();
    const rows = (result.raw as { id: string; expires_at: Date }[]).map((r) => ({
      jti: r.id,
      expiresAt: new Date(r.expires_at),
    }));
    await this.revocations.persist(rows, reason, m);
    return rows;
  }

  private async sign(
    m: EntityManager,
    input: {
      kind: IssuedTokenKind;
      subject: string;
      userId: string | null;
      familyId: string | null;
      scopes: Scope[];
      description: string | null;
      createdBy: string | null;
      username?: string;
      issuedAt: Date;
      ttlSeconds: number;
    },
  ): Promise<{ id: string; token: string; expiresAt: Date }> {
    const id = randomUUID();
    const iat = Math.floor(input.issuedAt.getTime() / 1000);
    const exp = iat + input.ttlSeconds;
    const expiresAt = new Date(exp * 1000);
    await m.getRepository(IssuedTokenEntity).insert({
      id,
      kind: input.kind,
      subject: input.subject,
      userId: input.userId,
      familyId: input.familyId,
      scopes: input.scopes,
      description: input.description,
      createdBy: input.createdBy,
      issuedAt: input.issuedAt,
      expiresAt,
      revokedAt: null,
    });
    // Algorithm, key and `kid` come from the JwtModule options (jwtModuleOptions).
    const token = this.jwt.sign({
      iss: this.config.jwt.issuer,
      aud: this.config.jwt.audience,
      sub: input.subject,
      jti: id,
      iat,
      exp,
      scope: input.scopes.join(' '),
      token_kind: input.kind === 'service' ? 'service' : 'user',
      ...(input.username ? { username: input.username } : {}),
    } satisfies AccessTokenClaims);
    return { id, token, expiresAt };
  }
}
