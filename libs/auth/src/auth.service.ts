import { Injectable } from '@nestjs/common';
import { ApiProblemException, type Principal, SecurityEvents } from '@app/common';
import { AppConfig } from '@app/config';
import { LoginLockoutService } from './lockout/login-lockout.service';
import { type TokenPair, TokensService } from './tokens/tokens.service';
import { PasswordService } from './users/password.service';
import { UsersService } from './users/users.service';

/** Where a request came from, for lock-out and security events. */
export interface RequestContext {
  ip: string;
  requestId?: string;
}

export const AUTH_PROBLEM_TYPES = {
  invalidCredentials: 'urn:transparency-api:problem:invalid-credentials',
  invalidGrant: 'urn:transparency-api:problem:invalid-refresh-token',
  loginLocked: 'urn:transparency-api:problem:login-locked',
} as const;

/** The one 401 of a failed login: identical for an unknown user, a wrong password and a disabled user. */
function invalidCredentials(realm: string): ApiProblemException {
  return new ApiProblemException(
    { status: 401, type: AUTH_PROBLEM_TYPES.invalidCredentials, detail: 'Invalid username or password.' },
    { 'WWW-Authenticate': `Bearer realm="${realm}"` },
  );
}

function invalidRefreshToken(realm: string): ApiProblemException {
  return new ApiProblemException(
    {
      status: 401,
      type: AUTH_PROBLEM_TYPES.invalidGrant,
      detail: 'The refresh token is invalid, expired or revoked; log in again.',
    },
    { 'WWW-Authenticate': `Bearer realm="${realm}", error="invalid_token"` },
  );
}

/** Login, refresh and logout: the flows of docs/auth.md, with their security events. */
@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
    private readonly lockout: LoginLockoutService,
    private readonly events: SecurityEvents,
  ) {}

  private get realm(): string {
    return this.config.jwt.audience;
  }

  /**
   * The lock-out admits (and counts) the attempt before the password is checked, so parallel
   * guesses cannot all slip past a check that sees none of the others; the attempt is then
   * settled as a failure (which may engage the lock) or a success (which un-counts it).
   */
  async login(username: string, password: string, context: RequestContext): Promise<TokenPair> {
    const lock = await this.lockout.admit(username, context.ip);
    if (lock.locked) {
      this.events.publish({
        type: 'login.lockout',
        actor: username,
        ...context,
        detail: { reason: 'locked', scope: lock.scope, retry_after_seconds: lock.retryAfterSeconds },
      });
      throw this.lockedProblem(lock.retryAfterSeconds);
    }

    const user = await this.users.findByUsername(username);
    // Unknown users cost a full hash too, so timing does not reveal who exists.
    const valid = user
      ? await this.passwords.verify(user.passwordHash, password)
      : await this.passwords.verifyDummy(password);
    const reason = !user ? 'unknown_user' : !valid ? 'wrong_password' : user.disabled ? 'disabled' : undefined;
    // Disabled meanwhile (an admin acting while the password was checked): the same failure.
    const pair = user && !reason ? await this.tokens.startSession(user) : undefined;
    if (!user || !pair) {
      this.events.publish({
        type: 'login.failure',
        actor: username,
        ...context,
        detail: { reason: reason ?? 'disabled' },
      });
      const engaged = await this.lockout.recordFailure(username, context.ip);
      if (engaged.locked) {
        this.events.publish({
          type: 'login.lockout',
          actor: username,
          ...context,
          detail: { reason: 'threshold', scope: engaged.scope, retry_after_seconds: engaged.retryAfterSeconds },
        });
      }
      throw invalidCredentials(this.realm);
    }

    await this.lockout.recordSuccess(username, context.ip);
    this.events.publish({ type: 'login.success', actor: user.username, tokenId: pair.accessTokenId, ...context });
    this.events.publish({
      type: 'token.issued',
      actor: user.username,
      tokenId: pair.accessTokenId,
      ...context,
      detail: { kind: 'user', subject: user.id, scopes: pair.scopes, family_id: pair.familyId },
    });
    return pair;
  }

  async refresh(refreshToken: string, context: RequestContext): Promise<TokenPair> {
    let username: string | undefined;
    const outcome = await this.tokens.refresh(refreshToken, async (id) => {
      const user = await this.users.findById(id);
      username = user?.username;
      return user;
    });
    switch (outcome.kind) {
      case 'rotated':
        // Every user event names its actor by username, as logins do (the id is in the family).
        this.events.publish({
          type: 'token.refreshed',
          actor: username ?? outcome.userId,
          tokenId: outcome.pair.accessTokenId,
          ...context,
          detail: { family_id: outcome.pair.familyId },
        });
        return outcome.pair;
      case 'reuse':
        this.events.publish({
          type: 'token.refresh_reuse',
          actor: (await this.users.findById(outcome.userId))?.username ?? outcome.userId,
          ...context,
          detail: { family_id: outcome.familyId, revoked_access_tokens: outcome.revokedTokens },
        });
        throw invalidRefreshToken(this.realm);
      case 'invalid':
        throw invalidRefreshToken(this.realm);
    }
  }

  async logout(principal: Principal, refreshToken: string | undefined, context: RequestContext): Promise<void> {
    await this.tokens.logout(principal.tokenId, principal.sub, refreshToken);
    this.events.publish({
      type: 'token.revoked',
      actor: principal.username ?? principal.sub,
      tokenId: principal.tokenId,
      ...context,
      detail: { reason: 'logout' },
    });
  }

  /**
   * RFC 7009 style: whoever holds a token may end it. Nothing about the outcome reaches the
   * caller (the route always answers 200), so it cannot probe which tokens exist.
   */
  async revoke(token: string, context: RequestContext): Promise<void> {
    const outcome = await this.tokens.revokePresented(token, 'revoke');
    switch (outcome.kind) {
      case 'none':
        return;
      case 'family': {
        const user = await this.users.findById(outcome.userId);
        this.events.publish({
          type: 'token.revoked',
          actor: user?.username ?? outcome.userId,
          ...context,
          detail: {
            reason: 'revoke',
            presented: outcome.via,
            family_id: outcome.familyId,
            revoked_access_tokens: outcome.revokedTokens,
          },
        });
        return;
      }
      case 'token':
        this.events.publish({
          type: 'token.revoked',
          actor: outcome.subject,
          tokenId: outcome.tokenId,
          ...context,
          detail: { reason: 'revoke', presented: 'access' },
        });
        return;
    }
  }

  private lockedProblem(retryAfterSeconds: number): ApiProblemException {
    return new ApiProblemException(
      {
        status: 429,
        type: AUTH_PROBLEM_TYPES.loginLocked,
        detail: `Too many failed logins; try again in ${retryAfterSeconds} seconds.`,
        extensions: { retry_after: retryAfterSeconds },
      },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
