import type { Scope } from './scopes';

/**
 * Who is calling, as established by verifying the bearer token once per request (before the
 * throttler, without rejecting). Absent on anonymous requests and on invalid tokens.
 */
export interface Principal {
  /** Token subject: a user id for user tokens, the `subject` of a service token. */
  sub: string;
  username?: string;
  scopes: Scope[];
  /** The token's `jti`. */
  tokenId: string;
  kind: 'user' | 'service';
  expiresAt: Date;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the bearer verification step when the token is valid. */
      principal?: Principal;
      /** Why a presented bearer token was refused (the scopes guard answers 401 with it). */
      authError?: string;
    }
  }
}
