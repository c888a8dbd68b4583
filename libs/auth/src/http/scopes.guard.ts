import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import {
  ApiProblemException,
  hasScopes,
  IS_PUBLIC_KEY,
  PUBLIC_READ_KEY,
  type Scope,
  SCOPES_KEY,
  SecurityEvents,
} from '@app/common';
import { AppConfig } from '@app/config';

/** A route with neither `@Public()` nor `@Scopes(...)` is closed to all but `admin`: forgetting fails closed. */
const UNDECLARED: readonly Scope[] = ['admin'];

/**
 * The last global guard (APP_GUARD, after the bearer guard and the throttler): denies by
 * default. `@Public()` opens a route; otherwise the principal set by `BearerAuthGuard` must
 * exist (401) and hold every scope of `@Scopes(...)` (403; `admin` implies all). Metadata is
 * read handler-first.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly events: SecurityEvents,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    // TRANSPARENCY_PUBLIC_READ=true opens marked reads to anonymous callers; a presented
    // token is still judged (a bad one is 401, a lacking scope 403), as everywhere else.
    if (
      !req.principal &&
      !req.authError &&
      this.config.transparency.publicRead &&
      this.reflector.getAllAndOverride<boolean>(PUBLIC_READ_KEY, targets)
    ) {
      return true;
    }
    const realm = this.config.jwt.audience;
    const principal = req.principal;
    if (!principal) {
      const challenge = req.authError
        ? `Bearer realm="${realm}", error="invalid_token", error_description="${req.authError}"`
        : `Bearer realm="${realm}"`;
      throw new ApiProblemException(
        { status: 401, detail: req.authError ?? 'A bearer token is required.' },
        { 'WWW-Authenticate': challenge },
      );
    }
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets) ?? UNDECLARED;
    if (hasScopes(principal.scopes, required)) return true;
    this.events.publish({
      type: 'scope.denied',
      actor: principal.username ?? principal.sub,
      tokenId: principal.tokenId,
      ip: req.ip,
      requestId: req.requestId,
      detail: { required, granted: principal.scopes, method: req.method, path: req.path },
    });
    throw new ApiProblemException(
      { status: 403, detail: `This route requires the scope${required.length > 1 ? 's' : ''} ${required.join(', ')}.` },
      { 'WWW-Authenticate': `Bearer realm="${realm}", error="insufficient_scope", scope="${required.join(' ')}"` },
    );
  }
}
