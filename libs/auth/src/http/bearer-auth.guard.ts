import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppEventBus, type Principal, type TokenValidationResult } from '@app/common';
import { type BearerFailure, BearerStrategy } from './bearer.strategy';

/**
 * The actions a Passport strategy calls to report its outcome (passport-strategy's protocol:
 * `success`, `fail`, `pass`, `error`, `redirect`), set on a per-request instance whose
 * prototype is the registered strategy, as Passport itself does.
 */
interface StrategyRun {
  authenticate(req: Request, options: object): void;
  success(user: Principal, info?: unknown): void;
  fail(challenge?: BearerFailure | string | number, status?: number): void;
  pass(): void;
  error(error: unknown): void;
  redirect(url: string, status?: number): void;
}

/** No session, and nothing for the strategy to configure per request. */
const AUTHENTICATE_OPTIONS = { session: false };

/**
 * The first global guard (docs/security.md): runs the bearer Passport strategy once per request and
 * never rejects. It sets `req.principal`, or `req.authError` for the scopes guard to answer 401
 * after the throttler (keyed on the principal) has counted the request.
 *
 * The strategy (`BearerStrategy`, a `PassportStrategy` of `@nestjs/passport`, registered with
 * Passport) is run through Passport's strategy protocol directly rather than through
 * `@nestjs/passport`'s `AuthGuard` and `passport.authenticate`: for each request those built a
 * new middleware with a dozen closures and gave the request object seven methods of Passport's
 * session framework (`login`, `logout`, `isAuthenticated`...), none of which a bearer token
 * uses. Measured: 60 µs of CPU per authenticated request, a quarter of a cached read
 * (docs/benchmarks.md). What the strategy decides, and how, is unchanged.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly strategy: BearerStrategy,
    private readonly events: AppEventBus,
  ) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    // Only HTTP carries a bearer token; a request without one skips Passport altogether.
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (req.headers.authorization === undefined) return true;
    return new Promise<true>((resolve, reject) => {
      const run = Object.create(this.strategy) as StrategyRun;
      run.success = (principal) => {
        req.principal = principal;
        this.emit('valid');
        resolve(true);
      };
      run.fail = (challenge) => {
        if (typeof challenge === 'object' && challenge !== null) {
          req.authError = challenge.message;
          this.emit(challenge.result);
        }
        resolve(true);
      };
      run.pass = () => resolve(true);
      // A thrown error is a bug in verification, not a bad token: let it become a 500.
      run.error = (error) =>
        reject(error instanceof Error ? error : new Error('Bearer authentication failed unexpectedly'));
      run.redirect = () => reject(new Error('The bearer strategy cannot redirect'));
      run.authenticate(req, AUTHENTICATE_OPTIONS);
    });
  }

  /** Once per presented bearer token, the outcome only (the metrics feature counts them). */
  private emit(result: TokenValidationResult): void {
    this.events.emit('auth.token.validated', { result });
  }
}
