import { Injectable, type NestMiddleware } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { NextFunction, Request, Response } from 'express';
import { parseScopeClaim } from '@app/common';
import { RevocationCache } from '../tokens/revocation.service';
import { TokensService } from '../tokens/tokens.service';

/** Emitted once per presented bearer token, with `{ result }` only (the metrics feature counts them). */
export const TOKEN_VALIDATED_EVENT = 'auth.token.validated';
export type TokenValidationResult = 'valid' | 'invalid' | 'expired' | 'revoked';
export interface TokenValidatedEvent {
  result: TokenValidationResult;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * Verifies the bearer token once per request, before every guard (the throttler keys on
 * the subject), and never rejects: it sets `req.principal`, or `req.authError` for the
 * authorization guard to answer 401 on routes that are not public.
 */
@Injectable()
export class BearerAuthMiddleware implements NestMiddleware {
  constructor(
    private readonly tokens: TokensService,
    private readonly revocations: RevocationCache,
    private readonly emitter: EventEmitter2,
  ) {}

  use(req: Request, _res: Response, next: NextFunction): void {
    const header = req.headers.authorization;
    if (header !== undefined && req.principal === undefined && req.authError === undefined) {
      this.authenticate(req, header);
    }
    next();
  }

  private authenticate(req: Request, header: string): void {
    const token = BEARER.exec(header)?.[1];
    if (!token) {
      req.authError = 'The Authorization header is not a bearer token.';
      return this.emit('invalid');
    }
    const result = this.tokens.verifyAccessToken(token);
    if (!result.ok) {
      const expired = result.reason === 'expired';
      req.authError = expired ? 'The access token has expired.' : 'The access token is invalid.';
      return this.emit(expired ? 'expired' : 'invalid');
    }
    const { claims } = result;
    if (this.revocations.isRevoked(claims.jti)) {
      req.authError = 'The access token has been revoked.';
      return this.emit('revoked');
    }
    req.principal = {
      sub: claims.sub,
      ...(claims.username !== undefined ? { username: claims.username } : {}),
      scopes: parseScopeClaim(claims.scope),
      tokenId: claims.jti,
      kind: claims.token_kind,
      expiresAt: new Date(claims.exp * 1000),
    };
    this.emit('valid');
  }

  private emit(result: TokenValidationResult): void {
    try {
      this.emitter.emit(TOKEN_VALIDATED_EVENT, { result } satisfies TokenValidatedEvent);
    } catch {
      // A listener's failure must not fail the request.
    }
  }
}
