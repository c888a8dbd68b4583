import { Injectable } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { BoundedMap } from '@app/common';
import { AppConfig } from '@app/config';
import { CLOCK_TOLERANCE_SECONDS } from './jwt-options';
import { JwtKeysService } from './jwt-keys.service';

/** The claims of every access token this API signs (docs/auth.md). */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  /** Space-separated scopes. */
  scope: string;
  /** `user` for login tokens, `service` for admin-issued ones. */
  token_kind: 'user' | 'service';
  username?: string;
}

export type VerifyFailure = 'malformed' | 'algorithm' | 'unknown_key' | 'signature' | 'claims' | 'expired';

export type VerifyResult = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: VerifyFailure };

/** Longer than any token we sign by far; a bigger header is not worth parsing. */
export const MAX_TOKEN_LENGTH = 8192;
/** An `iat` this far in the future is not a clock skew but a forged or broken token. */
const MAX_FUTURE_IAT_SECONDS = 60;

/**
 * Tokens this process has verified, by their exact text. A client sends the same token on
 * every request until it expires, and verifying it again (three base64url decodes, two JSON
 * parses, an HMAC or signature check, jsonwebtoken's option handling) was a tenth of a cached
 * read's CPU. Bounded, oldest forgotten first.
 */
const VERIFIED_TOKENS_MAX = 10_000;

const fail = (reason: VerifyFailure): VerifyResult => ({ ok: false, reason });

/**
 * One token, one spelling: a segment is accepted only if re-encoding its bytes gives it back.
 * Node's decoder is lenient (it skips `=`, accepts `+/`, ignores stray bits of the last
 * character), so without this one token could be presented under many spellings.
 */
function canonicalBytes(segment: string): Buffer | undefined {
  if (segment.length === 0) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

function jsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Verifies access tokens with `@nestjs/jwt`'s `JwtService` (algorithm pinned, signature,
 * `iss`, `aud`, `exp`/`nbf` with tolerance, key by `kid`: see `jwtModuleOptions`), around
 * the checks jsonwebtoken does not make: size cap, canonical base64url segments, `typ`,
 * `crit` refused (RFC 7515 §4.1.11: an extension we do not implement must not be ignored),
 * and the claim shape of our tokens. Revocation is the caller's second question.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly audience: string;
  private readonly verified = new BoundedMap<string, VerifyResult & { ok: true }>(VERIFIED_TOKENS_MAX);

  constructor(
    private readonly jwt: JwtService,
    private readonly keys: JwtKeysService,
    config: AppConfig,
  ) {
    this.audience = config.jwt.audience;
  }

  /**
   * A token verified before is answered from memory after one check, its expiry (with the same
   * tolerance as JwtService): everything else verification decides about a given text cannot
   * change while the process runs (the keys are fixed at start; a future `nbf` or `iat` fails
   * and is never remembered). Only successes are remembered, so a forgery pays the full check
   * every time. Revocation is not part of this and stays the caller's question per request.
   */
  verify(token: string): VerifyResult {
    const known = this.verified.get(token);
    if (known) {
      if (Date.now() / 1000 < known.claims.exp + CLOCK_TOLERANCE_SECONDS) return known;
      this.verified.delete(token);
      return fail('expired');
    }
    const result = this.verifyText(token);
    if (result.ok) this.verified.set(token, result);
    return result;
  }

  private verifyText(token: string): VerifyResult {
    if (token.length > MAX_TOKEN_LENGTH) return fail('malformed');
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.indexOf('.', second + 1) !== -1) return fail('malformed');
    const headerBytes = canonicalBytes(token.slice(0, first));
    if (!headerBytes || !canonicalBytes(token.slice(first + 1, second)) || !canonicalBytes(token.slice(second + 1))) {
      return fail('malformed');
    }
    const header = jsonObject(headerBytes);
    if (!header) return fail('malformed');
    // Checked before any key is looked up, so `none` and algorithm confusion never reach one.
    if (header.alg !== this.keys.algorithm) return fail('algorithm');
    if (header.crit !== undefined) return fail('malformed');
    if (header.typ !== undefined && header.typ !== 'JWT') return fail('malformed');
    if (header.kid !== undefined && typeof header.kid !== 'string') return fail('malformed');
    if (!this.keys.keyFor(header.kid)) return fail('unknown_key');

    let payload: unknown;
    try {
      payload = this.jwt.verify<object>(token);
    } catch (error) {
      if (error instanceof TokenExpiredError) return fail('expired');
      const message = error instanceof Error ? error.message : '';
      // jsonwebtoken's messages: "invalid signature" vs "jwt issuer invalid...", "jwt not active"...
      return fail(/signature/i.test(message) ? 'signature' : 'claims');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return fail('malformed');
    const { iss, sub, jti, iat, exp, scope, token_kind: kind, username } = payload as Record<string, unknown>;
    if (
      !isString(iss) ||
      !isString(sub) ||
      !isString(jti) ||
      !isTime(iat) ||
      !isTime(exp) ||
      typeof scope !== 'string' ||
      (kind !== 'user' && kind !== 'service') ||
      (username !== undefined && typeof username !== 'string') ||
      iat > Math.floor(Date.now() / 1000) + MAX_FUTURE_IAT_SECONDS
    ) {
      return fail('claims');
    }
    return {
      ok: true,
      claims: {
        iss,
        // jsonwebtoken has checked that `aud` is, or lists, ours.
        aud: this.audience,
        sub,
        jti,
        iat,
        exp,
        scope,
        token_kind: kind,
        ...(username !== undefined ? { username } : {}),
      },
    };
  }
}
