import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import passport from 'passport';
import { Strategy } from 'passport-custom';
import { parseScopeClaim, type Principal, type TokenValidationResult } from '@app/common';
import { AccessTokenVerifier } from '../tokens/access-token.verifier';
import { RevocationCache } from '../tokens/revocation.service';

/** Why a presented token was refused: the guard records it for the scopes guard's 401. */
export interface BearerFailure {
  result: Exclude<TokenValidationResult, 'valid'>;
  message: string;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

// Built once: the strategy answers every refusal with one of these.
const NOT_BEARER: BearerFailure = { result: 'invalid', message: 'The Authorization header is not a bearer token.' };
const INVALID: BearerFailure = { result: 'invalid', message: 'The access token is invalid.' };
const EXPIRED: BearerFailure = { result: 'expired', message: 'The access token has expired.' };
const REVOKED: BearerFailure = { result: 'revoked', message: 'The access token has been revoked.' };

/**
 * The Passport bearer strategy (docs/auth.md): authenticates the bearer token of a request with the
 * `@nestjs/jwt` verifier and the replica's revocation cache. A refusal is a Passport failure
 * carrying its reason (the guard turns it into `req.authError`, never into a rejection, so
 * the throttler still sees the request); no Authorization header is an anonymous request.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy) implements OnModuleDestroy {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: RevocationCache,
  ) {
    super();
  }

  /**
   * Called by `PassportStrategy` to register this strategy with Passport's global registry.
   * Passport registers by name, process-wide: under a fixed name, a second application in the
   * same process (the e2e suites run several, with different keys) would silently take over
   * the first one's verification. Each instance therefore gets a name of its own, which the
   * guard reads (`name`).
   */
  getPassportInstance(): passport.PassportStatic {
    (this as { name: string }).name = `bearer:${randomUUID()}`;
    return passport;
  }

  onModuleDestroy(): void {
    if (this.name) passport.unuse(this.name);
  }

  validate(req: Request): Principal | [false, BearerFailure | undefined] {
    const header = req.headers.authorization;
    if (header === undefined) return [false, undefined];
    const token = BEARER.exec(header)?.[1];
    if (!token) return [false, NOT_BEARER];
    const result = this.verifier.verify(token);
    if (!result.ok) return [false, result.reason === 'expired' ? EXPIRED : INVALID];
    const { claims } = result;
    if (this.revocations.isRevoked(claims.jti)) return [false, REVOKED];
    return {
      sub: claims.sub,
      ...(claims.username !== undefined ? { username: claims.username } : {}),
      scopes: parseScopeClaim(claims.scope),
      tokenId: claims.jti,
      kind: claims.token_kind,
      expiresAt: new Date(claims.exp * 1000),
    };
  }
}
