import { createHmac, type KeyObject, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import type { JwtAlgorithm } from '@app/config';

/** The claims of every access token this API signs (SPEC §3). */
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

export interface SigningKey {
  alg: JwtAlgorithm;
  /** The HS256 secret, or the private key of ES256/EdDSA. */
  key: KeyObject;
  kid?: string;
}

export interface VerifyOptions {
  /** The one algorithm accepted: anything else in the header (`none`, HS256 under ES256...) is refused. */
  alg: JwtAlgorithm;
  /** The key for a header `kid` (HS256: the secret whatever the kid). */
  keyFor(kid: string | undefined): KeyObject | undefined;
  issuer: string;
  audience: string;
  /** Seconds since the epoch. */
  now: number;
  clockToleranceSeconds?: number;
}

export type VerifyFailure = 'malformed' | 'algorithm' | 'unknown_key' | 'signature' | 'claims' | 'expired';

export type VerifyResult = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: VerifyFailure };

/** Longer than any token we sign by far; a bigger header is not worth parsing. */
const MAX_TOKEN_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeObject(part: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function signature(alg: JwtAlgorithm, data: Buffer, key: KeyObject): Buffer {
  switch (alg) {
    case 'HS256':
      return createHmac('sha256', key).update(data).digest();
    case 'ES256':
      return cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return cryptoSign(null, data, key);
  }
}

function signatureValid(alg: JwtAlgorithm, data: Buffer, key: KeyObject, sig: Buffer): boolean {
  try {
    switch (alg) {
      case 'HS256': {
        if (key.type !== 'secret') return false;
        const expected = createHmac('sha256', key).update(data).digest();
        return sig.length === expected.length && timingSafeEqual(sig, expected);
      }
      case 'ES256':
        if (key.type !== 'public' || key.asymmetricKeyType !== 'ec' || sig.length !== 64) return false;
        return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
      case 'EdDSA':
        if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') return false;
        return cryptoVerify(null, data, key, sig);
    }
  } catch {
    return false;
  }
}

export function signJwt(claims: AccessTokenClaims, signing: SigningKey): string {
  const header: Record<string, string> = { alg: signing.alg, typ: 'JWT' };
  if (signing.kid) header.kid = signing.kid;
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${signature(signing.alg, Buffer.from(input, 'ascii'), signing.key).toString('base64url')}`;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Verifies a compact JWS signed by this API. Pure: no clock or key lookups of its own, so
 * every forged kind (alg none, algorithm confusion, foreign key, tampered payload, wrong
 * iss/aud, expired) is unit-testable.
 */
export function verifyJwt(token: string, options: VerifyOptions): VerifyResult {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return { ok: false, reason: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeObject(headerPart);
  if (!header) return { ok: false, reason: 'malformed' };
  if (header.alg !== options.alg) return { ok: false, reason: 'algorithm' };
  // A critical extension we do not implement must not be ignored (RFC 7515 §4.1.11).
  if (header.crit !== undefined) return { ok: false, reason: 'malformed' };
  if (header.typ !== undefined && header.typ !== 'JWT') return { ok: false, reason: 'malformed' };
  if (header.kid !== undefined && typeof header.kid !== 'string') return { ok: false, reason: 'malformed' };
  const key = options.keyFor(header.kid);
  if (!key) return { ok: false, reason: 'unknown_key' };
  const data = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  if (!signatureValid(options.alg, data, key, Buffer.from(signaturePart, 'base64url'))) {
    return { ok: false, reason: 'signature' };
  }

  const payload = decodeObject(payloadPart);
  if (!payload) return { ok: false, reason: 'malformed' };
  const { iss, aud, sub, jti, iat, exp, nbf, scope, token_kind: kind, username } = payload;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (
    iss !== options.issuer ||
    !audiences.includes(options.audience) ||
    !isString(sub) ||
    !isString(jti) ||
    !isTime(iat) ||
    !isTime(exp) ||
    typeof scope !== 'string' ||
    (kind !== 'user' && kind !== 'service') ||
    (username !== undefined && typeof username !== 'string') ||
    (nbf !== undefined && !isTime(nbf))
  ) {
    return { ok: false, reason: 'claims' };
  }
  const tolerance = options.clockToleranceSeconds ?? 0;
  if (iat > options.now + 60 || (nbf !== undefined && nbf > options.now + tolerance)) {
    return { ok: false, reason: 'claims' };
  }
  if (exp <= options.now - tolerance) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claims: {
      iss: options.issuer,
      aud: options.audience,
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
