import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard, type IAuthModuleOptions } from '@nestjs/passport';
import type { Request } from 'express';
import { AppEventBus, type Principal, type TokenValidationResult } from '@app/common';
import { type BearerFailure, BearerStrategy } from './bearer.strategy';

/**
 * The first global guard (SPEC §4): runs the bearer strategy once per request and never
 * rejects. It sets `req.principal`, or `req.authError` for the scopes guard to answer 401
 * after the throttler (keyed on the principal) has counted the request.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard() {
  private readonly authenticateOptions: IAuthModuleOptions;

  constructor(
    strategy: BearerStrategy,
    private readonly events: AppEventBus,
  ) {
    // No session; the principal lands on `req.principal` (Passport's default is `req.user`).
    const options: IAuthModuleOptions = { defaultStrategy: strategy.name, session: false, property: 'principal' };
    super(options);
    this.authenticateOptions = options;
  }

  override canActivate(context: ExecutionContext): Promise<boolean> {
    // Only HTTP carries a bearer token; a request without one skips Passport altogether.
    if (context.getType() !== 'http') return Promise.resolve(true);
    const req = context.switchToHttp().getRequest<Request>();
    if (req.headers.authorization === undefined) return Promise.resolve(true);
    return super.canActivate(context) as Promise<boolean>;
  }

  override getAuthenticateOptions(): IAuthModuleOptions {
    return this.authenticateOptions;
  }

  override handleRequest<TUser = Principal | undefined>(
    error: unknown,
    principal: Principal | false,
    failure: BearerFailure | undefined,
    context: ExecutionContext,
  ): TUser {
    // A thrown error is a bug in verification, not a bad token: let it become a 500.
    if (error) throw error instanceof Error ? error : new Error('Bearer authentication failed unexpectedly');
    if (principal) {
      this.emit('valid');
      return principal as TUser;
    }
    if (failure) {
      context.switchToHttp().getRequest<Request>().authError = failure.message;
      this.emit(failure.result);
    }
    return undefined as TUser;
  }

  /** Once per presented bearer token, the outcome only (the metrics feature counts them). */
  private emit(result: TokenValidationResult): void {
    this.events.emit('auth.token.validated', { result });
  }
}
