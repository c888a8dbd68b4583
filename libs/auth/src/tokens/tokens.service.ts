import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { IssuedTokenEntity, type IssuedTokenKind } from '../entities/issued-token.entity';
import { RefreshTokenEntity } from '../entities/refresh-token.entity';
import { UserEntity } from '../entities/user.entity';
import type { Scope } from '@app/common';
import { type AccessTokenClaims, AccessTokenVerifier } from './access-token.verifier';
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

/** What `POST /auth/revoke` found behind the presented token (`none`: nothing to revoke, still a 200). */
export type PresentedRevocation =
  | { kind: 'none' }
  | { kind: 'family'; familyId: string; userId: string; via: 'refresh' | 'access'; revokedTokens: number }
  | { kind: 'token'; tokenId: string; subject: string };

const REFRESH_TOKEN_PREFIX = 'rt_';
const MAX_REFRESH_TOKEN_LENGTH = 256;
/**
 * First half of the two-key advisory lock of a token family (the second is hashtext(family id)).
 * Two-key advisory locks never collide with the one-key migration lock.
 */
const FAMILY_LOCK_NAMESPACE = 734_043_202;
/** The same for a user: a login starting a family, and the revocation of all of a user's tokens. */
const USER_LOCK_NAMESPACE = 734_043_203;

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
    private readonly verifier: AccessTokenVerifier,
  ) {}

  /**
   * A new family at login, or the next pair of an existing one at refresh. Neither token
   * outlives the family's absolute lifetime (`sessionStartedAt` + SESSION_MAX_AGE).
   */
  async issueUserTokens(
    user: UserEntity,
    familyId: string = randomUUID(),
    manager?: EntityManager,
    sessionStartedAt?: Date,
  ): Promise<TokenPair> {
    const run = async (m: EntityManager): Promise<TokenPair> => {
      const now = new Date();
      const started = sessionStartedAt ?? now;
      const sessionEndsMs = started.getTime() + this.config.jwt.sessionMaxAgeSeconds * 1000;
      const sessionLeftSeconds = Math.max(1, Math.floor((sessionEndsMs - now.getTime()) / 1000));
      const ttl = Math.min(this.config.jwt.accessTokenTtlSeconds, sessionLeftSeconds);
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
        expiresAt: new Date(Math.min(now.getTime() + this.config.jwt.refreshTokenTtlSeconds * 1000, sessionEndsMs)),
        sessionStartedAt: started,
        rotatedAt: null,
        revokedAt: null,
      });
      return { accessToken: token, accessTokenId: id, refreshToken, familyId, expiresIn: ttl, scopes: user.scopes };
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /**
   * A login's first pair, a new family. Under the user's lock, which revoking all of a user's
   * tokens also takes, and with the user read again inside it: a login whose password check
   * raced the user being disabled either commits first (and its family is revoked with the
   * rest) or sees the user disabled (undefined: no tokens).
   */
  async startSession(user: UserEntity): Promise<TokenPair | undefined> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [USER_LOCK_NAMESPACE, user.id]);
      const current = await m.getRepository(UserEntity).findOneBy({ id: user.id });
      if (!current || current.disabled) return undefined;
      return this.issueUserTokens(current, randomUUID(), m);
    });
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
   * Exchanges a refresh token for a new pair (rotation). Claiming the old token and inserting
   * its successor happen under the family's lock, which every family revocation also takes:
   * a revocation racing the rotation either runs first (the rotation then finds the token
   * revoked) or after the commit (and then sees, and revokes, the successor).
   */
  async refresh(refreshToken: string, loadUser: (id: string) => Promise<UserEntity | null>): Promise<RefreshOutcome> {
    if (!refreshToken.startsWith(REFRESH_TOKEN_PREFIX) || refreshToken.length > MAX_REFRESH_TOKEN_LENGTH) {
      return { kind: 'invalid' };
    }
    const found = await this.refreshTokens.findOneBy({ tokenHash: hashRefreshToken(refreshToken) });
    if (!found || found.revokedAt) return { kind: 'invalid' };
    // Read before the transaction: with the embedded database's pool of one, a second
    // connection cannot be had while the transaction holds the only one.
    const user = await loadUser(found.userId);

    const result = await this.dataSource.transaction(
      async (m): Promise<{ outcome: RefreshOutcome; revoked: Revocation[] }> => {
        await this.lockFamily(m, found.familyId);
        const row = await m.getRepository(RefreshTokenEntity).findOneBy({ id: found.id });
        if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) {
          return { outcome: { kind: 'invalid' }, revoked: [] };
        }
        if (row.rotatedAt) {
          const revoked = await this.revokeFamilyLocked(m, row.familyId, 'refresh_reuse');
          return {
            outcome: { kind: 'reuse', familyId: row.familyId, userId: row.userId, revokedTokens: revoked.length },
            revoked,
          };
        }
        if (!user || user.disabled) return { outcome: { kind: 'invalid' }, revoked: [] };
        await m
          .getRepository(RefreshTokenEntity)
          .createQueryBuilder()
          .update()
          .set({ rotatedAt: () => 'now()' })
          .where('id = :id', { id: row.id })
          .execute();
        const pair = await this.issueUserTokens(user, row.familyId, m, row.sessionStartedAt);
        return { outcome: { kind: 'rotated', pair, userId: user.id }, revoked: [] };
      },
    );
    await this.revocations.announce(result.revoked);
    return result.outcome;
  }

  /** Revokes every refresh token and live access token of a login's family; returns the access tokens revoked. */
  async revokeFamily(familyId: string, reason: string): Promise<number> {
    const revoked = await this.dataSource.transaction(async (m) => {
      await this.lockFamily(m, familyId);
      return this.revokeFamilyLocked(m, familyId, reason);
    });
    await this.revocations.announce(revoked);
    return revoked.length;
  }

  /**
   * Every live token of a user (disabling it, or taking scopes away). Takes the user's lock (so
   * a login in flight cannot start a family it would miss), then the lock of each of its
   * families in one order (so a rotation in flight cannot leave a successor behind, and two of
   * these cannot deadlock).
   */
  async revokeUserTokens(userId: string, reason: string): Promise<number> {
    const revoked = await this.dataSource.transaction(async (m) => {
      // First the user (no login can start a family now), then every family it has.
      await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [USER_LOCK_NAMESPACE, userId]);
      const families = await m
        .getRepository(RefreshTokenEntity)
        .createQueryBuilder('r')
        .select('DISTINCT r.family_id', 'family_id')
        .where('r.user_id = :userId AND r.revoked_at IS NULL', { userId })
        .orderBy('r.family_id')
        .getRawMany<{ family_id: string }>();
      for (const { family_id } of families) await this.lockFamily(m, family_id);
      await this.revokeRefreshTokensWhere(m, 'user_id', userId);
      return this.revokeWhere(m, 'user_id = :value', { value: userId }, reason);
    });
    await this.revocations.announce(revoked);
    return revoked.length;
  }

  /** Serialises rotation and revocation of one family until the transaction ends. */
  private async lockFamily(m: EntityManager, familyId: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [FAMILY_LOCK_NAMESPACE, familyId]);
  }

  /** The family's refresh and access tokens; the caller holds the family lock and announces after commit. */
  private async revokeFamilyLocked(m: EntityManager, familyId: string, reason: string): Promise<Revocation[]> {
    await this.revokeRefreshTokensWhere(m, 'family_id', familyId);
    return this.revokeWhere(m, 'family_id = :value', { value: familyId }, reason);
  }

  private async revokeRefreshTokensWhere(
    m: EntityManager,
    column: 'family_id' | 'user_id',
    value: string,
  ): Promise<void> {
    await m
      .getRepository(RefreshTokenEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where(`${column} = :value AND revoked_at IS NULL`, { value })
      .execute();
  }

  /**
   * Revokes one token by id, and with a login session's access token its whole family (the
   * refresh token would otherwise mint a new one at once); undefined when no such token was
   * ever issued. Idempotent.
   */
  async revokeToken(id: string, reason: string): Promise<IssuedTokenEntity | undefined> {
    const token = await this.tokens.findOneBy({ id });
    if (!token) return undefined;
    if (token.familyId) {
      await this.revokeFamily(token.familyId, reason);
      return { ...token, revokedAt: token.revokedAt ?? new Date() };
    }
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

  /**
   * RFC 7009 style revocation by whoever holds a token: a refresh token ends its family; a
   * valid access token ends itself and, for a login session, its family. Anything else
   * (unknown, expired, forged, already revoked) revokes nothing and is not an error.
   */
  async revokePresented(token: string, reason: string): Promise<PresentedRevocation> {
    if (token.startsWith(REFRESH_TOKEN_PREFIX)) {
      if (token.length > MAX_REFRESH_TOKEN_LENGTH) return { kind: 'none' };
      const row = await this.refreshTokens.findOneBy({ tokenHash: hashRefreshToken(token) });
      if (!row) return { kind: 'none' };
      const revokedTokens = await this.revokeFamily(row.familyId, reason);
      return { kind: 'family', familyId: row.familyId, userId: row.userId, via: 'refresh', revokedTokens };
    }
    // Never throws: a forged, expired or malformed token is simply nothing to revoke.
    const verified = this.verifier.verify(token);
    if (!verified.ok) return { kind: 'none' };
    const issued = await this.tokens.findOneBy({ id: verified.claims.jti });
    if (!issued) return { kind: 'none' };
    if (issued.familyId && issued.userId) {
      const revokedTokens = await this.revokeFamily(issued.familyId, reason);
      return { kind: 'family', familyId: issued.familyId, userId: issued.userId, via: 'access', revokedTokens };
    }
    await this.revokeToken(issued.id, reason);
    return { kind: 'token', tokenId: issued.id, subject: issued.subject };
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
