import { type JwtModuleOptions, JwtSecretRequestType } from '@nestjs/jwt';
import type { KeyObject } from 'node:crypto';
import type { AppConfig } from '@app/config';
import type { JwtKeysService } from './jwt-keys.service';

/** Leeway for `exp`/`nbf` between replicas' clocks. */
export const CLOCK_TOLERANCE_SECONDS = 5;

class UnknownKeyError extends Error {
  constructor() {
    super('No verification key for this kid');
  }
}

/** The header's `kid`, read from the token's first segment (the verifier has checked its spelling). */
function headerKid(token: string): unknown {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? (header as { kid?: unknown }).kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `JwtModule` options, computed once at boot: the algorithm is pinned for signing and
 * verifying (`alg: none` and algorithm confusion never reach a key), `iss`/`aud` and the
 * clock tolerance are checked by jsonwebtoken, and `secretOrKeyProvider` picks the signing
 * key, or the verification key named by the token's `kid` (older JWT_PUBLIC_KEYS included).
 */
export function jwtModuleOptions(keys: JwtKeysService, config: AppConfig): JwtModuleOptions {
  const verificationKey = (token: string): KeyObject => {
    const key = keys.keyFor(keys.algorithm === 'HS256' ? undefined : headerKid(token));
    if (!key) throw new UnknownKeyError();
    return key;
  };
  return {
    signOptions: { algorithm: keys.algorithm, ...(keys.kid !== undefined ? { keyid: keys.kid } : {}) },
    verifyOptions: {
      algorithms: [keys.algorithm],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    },
    secretOrKeyProvider: (type, tokenOrPayload) =>
      type === JwtSecretRequestType.SIGN || typeof tokenOrPayload !== 'string'
        ? keys.signingKey
        : verificationKey(tokenOrPayload),
  };
}
