import { createHmac, createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { AppConfig, JwtAlgorithm } from '@app/config';
import { type AccessTokenClaims, AccessTokenVerifier } from './access-token.verifier';
import { JwtKeysService } from './jwt-keys.service';
import { jwtModuleOptions } from './jwt-options';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const config = { jwt: { issuer: 'issuer', audience: 'audience' } } as AppConfig;
const now = (): number => Math.floor(Date.now() / 1000);
const claims = (): AccessTokenClaims => ({
  iss: 'issuer',
  aud: 'audience',
  sub: 'user-1',
  jti: 'token-1',
  iat: now() - 10,
  exp: now() + 890,
  scope: 'transparency:read',
  token_kind: 'user',
  username: 'alice',
});

/** The verifier and JwtService exactly as the AuthCoreModule wires them. */
function setup(keys: JwtKeysService): { verifier: AccessTokenVerifier; jwt: JwtService } {
  const jwt = new JwtService(jwtModuleOptions(keys, config));
  return { verifier: new AccessTokenVerifier(jwt, keys, config), jwt };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
function hmacToken(header: unknown, payload: unknown, key: string | Buffer = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}
function asymmetricToken(header: { alg: string; kid?: string }, payload: unknown, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature =
    header.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : header.alg === 'RS256'
        ? sign('sha256', Buffer.from(input), key)
        : sign(null, Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

function asymmetricKeys(
  alg: Exclude<JwtAlgorithm, 'HS256'>,
  privateKey: KeyObject,
  kid: string,
  older: Record<string, KeyObject> = {},
): JwtKeysService {
  const verification = new Map<string, KeyObject>(Object.entries(older));
  verification.set(kid, createPublicKey(privateKey));
  return new JwtKeysService(alg, privateKey, kid, verification);
}

describe('AccessTokenVerifier under HS256 (JwtService from jwtModuleOptions)', () => {
  const keys = new JwtKeysService('HS256', createSecretKey(Buffer.from(SECRET)), undefined, new Map());
  const { verifier, jwt } = setup(keys);

  it('accepts what JwtService signed and returns its claims', () => {
    const c = claims();
    const token = jwt.sign(c);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(verifier.verify(token)).toEqual({ ok: true, claims: c });
  });

  it.each([
    ['alg none', () => `${b64({ alg: 'none' })}.${b64(claims())}.`, 'malformed'],
    ['alg none with a signature part', () => `${b64({ alg: 'none' })}.${b64(claims())}.AAAA`, 'algorithm'],
    ['HS512 in the header', () => hmacToken({ alg: 'HS512' }, claims()), 'algorithm'],
    ['ES256 in the header', () => hmacToken({ alg: 'ES256' }, claims()), 'algorithm'],
    ['another secret', () => hmacToken({ alg: 'HS256' }, claims(), 'another-secret-another-secret-xxxxx'), 'signature'],
    ['a critical extension', () => hmacToken({ alg: 'HS256', crit: ['exp'] }, claims()), 'malformed'],
    ['a foreign typ', () => hmacToken({ alg: 'HS256', typ: 'at+jwt+evil' }, claims()), 'malformed'],
    ['a non-string kid', () => hmacToken({ alg: 'HS256', kid: 7 }, claims()), 'malformed'],
    ['two parts', () => 'abc.def', 'malformed'],
    ['four parts', () => `${hmacToken({ alg: 'HS256' }, claims())}.x`, 'malformed'],
    // jsonwebtoken finds no audience in an array: refused on its claim checks.
    ['a JSON array payload', () => hmacToken({ alg: 'HS256' }, [claims()]), 'claims'],
    ['an oversized token', () => 'a'.repeat(9000), 'malformed'],
  ])('refuses %s', (_kind, make, reason) => {
    expect(verifier.verify(make())).toEqual({ ok: false, reason });
  });

  it.each([
    ['a wrong issuer', { iss: 'evil' }, 'claims'],
    ['a wrong audience', { aud: 'other' }, 'claims'],
    ['an audience list without ours', { aud: ['a', 'b'] }, 'claims'],
    ['no subject', { sub: '' }, 'claims'],
    ['no jti', { jti: undefined }, 'claims'],
    ['no exp', { exp: undefined }, 'claims'],
    ['a string exp', { exp: String(now() + 100) }, 'claims'],
    ['an unknown token kind', { token_kind: 'refresh' }, 'claims'],
    ['no scope claim', { scope: undefined }, 'claims'],
    ['a future iat', { iat: now() + 3600 }, 'claims'],
    ['a future nbf', { nbf: now() + 60 }, 'claims'],
    ['an expired token (past the 5 s tolerance)', { exp: now() - 6 }, 'expired'],
  ])('refuses %s', (_kind, overrides, reason) => {
    const token = hmacToken({ alg: 'HS256', typ: 'JWT' }, { ...claims(), ...overrides });
    expect(verifier.verify(token)).toEqual({ ok: false, reason });
  });

  it('remembers a verified token only until it expires, like a fresh verification would', () => {
    const c = { ...claims(), exp: now() + 60 };
    const token = jwt.sign(c);
    expect(verifier.verify(token)).toEqual({ ok: true, claims: c });
    expect(verifier.verify(token)).toEqual({ ok: true, claims: c });
    const later = jest.spyOn(Date, 'now').mockReturnValue((c.exp + 10) * 1000);
    try {
      expect(setup(keys).verifier.verify(token)).toEqual({ ok: false, reason: 'expired' });
      expect(verifier.verify(token)).toEqual({ ok: false, reason: 'expired' });
    } finally {
      later.mockRestore();
    }
  });

  it('refuses a forgery of a token it remembers: only the exact text is remembered', () => {
    const c = claims();
    const token = jwt.sign(c);
    expect(verifier.verify(token).ok).toBe(true);
    const [header, payload] = token.split('.');
    const elevated = { ...c, scope: 'admin' };
    expect(verifier.verify(`${header}.${b64(elevated)}.${token.split('.')[2]}`)).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(verifier.verify(`${header}.${payload}.${'A'.repeat(43)}`)).toEqual({ ok: false, reason: 'signature' });
  });

  it('accepts an audience list that contains ours', () => {
    const token = hmacToken({ alg: 'HS256' }, { ...claims(), aud: ['other', 'audience'] });
    expect(verifier.verify(token)).toMatchObject({ ok: true, claims: { aud: 'audience' } });
  });

  it('refuses a tampered payload under a valid signature', () => {
    const [h, , s] = jwt.sign(claims()).split('.');
    expect(verifier.verify(`${h}.${b64({ ...claims(), scope: 'admin' })}.${s}`)).toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  describe('one token, one spelling: non-canonical base64url segments are refused', () => {
    const token = (): string => jwt.sign(claims());
    /** The last character of a segment with unused low bits, bumped within the same 6-bit group. */
    const flipUnusedBits = (segment: string): string => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(segment[segment.length - 1]);
      return segment.slice(0, -1) + alphabet[last ^ 1];
    };

    it('the genuine spelling passes', () => {
      expect(verifier.verify(token())).toMatchObject({ ok: true });
    });

    it.each([
      ['padding on the signature', (t: string) => `${t}=`],
      ['padding on the payload', (t: string) => t.replace(/^([^.]+\.[^.]+)/, '$1=')],
      ['standard base64 (+/) spelling', (t: string) => t.replace(/-/g, '+').replace(/_/g, '/')],
      [
        'unused bits set in the signature (same bytes once decoded)',
        (t: string) => {
          const [h, p, s] = t.split('.');
          return `${h}.${p}.${flipUnusedBits(s)}`;
        },
      ],
      ['whitespace inside a segment', (t: string) => t.replace('.', ' .')],
    ])('refuses %s', (_kind, respell) => {
      const t = token();
      const respelled = respell(t);
      if (respelled === t) return; // This token happened to have no such character: nothing to respell.
      expect(verifier.verify(respelled)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('the flipped-bits spelling really decodes to the same bytes (so only the spelling check refuses it)', () => {
      const [, , s] = token().split('.');
      expect(Buffer.from(flipUnusedBits(s), 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    });
  });
});

describe('AccessTokenVerifier under ES256 and RS256', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const olderEc = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('signs under the kid and verifies with the key named by kid, older keys included (rotation)', () => {
    const keys = asymmetricKeys('ES256', ec.privateKey, 'k2', { k1: olderEc.publicKey });
    const { verifier, jwt } = setup(keys);
    const token = jwt.sign(claims());
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({
      alg: 'ES256',
      typ: 'JWT',
      kid: 'k2',
    });
    expect(verifier.verify(token)).toMatchObject({ ok: true });
    const older = asymmetricToken({ alg: 'ES256', kid: 'k1' }, claims(), olderEc.privateKey);
    expect(verifier.verify(older)).toMatchObject({ ok: true });
    // The older key under the current kid is a foreign signature.
    expect(verifier.verify(asymmetricToken({ alg: 'ES256', kid: 'k2' }, claims(), olderEc.privateKey))).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(verifier.verify(asymmetricToken({ alg: 'ES256', kid: 'k9' }, claims(), ec.privateKey))).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
    expect(verifier.verify(asymmetricToken({ alg: 'ES256' }, claims(), ec.privateKey))).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('refuses HS256 signed with the public key (algorithm confusion), EdDSA and RS256 under ES256', () => {
    const { verifier } = setup(asymmetricKeys('ES256', ec.privateKey, 'k1'));
    const pem = ec.publicKey.export({ format: 'pem', type: 'spki' });
    expect(verifier.verify(hmacToken({ alg: 'HS256', kid: 'k1' }, claims(), Buffer.from(pem)))).toEqual({
      ok: false,
      reason: 'algorithm',
    });
    const ed = generateKeyPairSync('ed25519');
    expect(verifier.verify(asymmetricToken({ alg: 'EdDSA', kid: 'k1' }, claims(), ed.privateKey))).toEqual({
      ok: false,
      reason: 'algorithm',
    });
    expect(verifier.verify(asymmetricToken({ alg: 'RS256', kid: 'k1' }, claims(), rsa.privateKey))).toEqual({
      ok: false,
      reason: 'algorithm',
    });
  });

  it('signs and verifies RS256, and refuses confusion and foreign keys under it', () => {
    const { verifier, jwt } = setup(asymmetricKeys('RS256', rsa.privateKey, 'r1'));
    const token = jwt.sign(claims());
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'RS256' });
    expect(verifier.verify(token)).toMatchObject({ ok: true, claims: { sub: 'user-1' } });
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' });
    expect(verifier.verify(hmacToken({ alg: 'HS256', kid: 'r1' }, claims(), Buffer.from(pem)))).toEqual({
      ok: false,
      reason: 'algorithm',
    });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(verifier.verify(asymmetricToken({ alg: 'RS256', kid: 'r1' }, claims(), stranger.privateKey))).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(verifier.verify(asymmetricToken({ alg: 'RS256', kid: 'r1' }, claims(), rsa.privateKey))).toMatchObject({
      ok: true,
    });
  });

  it('publishes RSA and EC public keys as JWKs, never a private member', () => {
    const rs = asymmetricKeys('RS256', rsa.privateKey, 'r1').jwks().keys;
    expect(rs).toEqual([{ kty: 'RSA', kid: 'r1', alg: 'RS256', use: 'sig', n: expect.any(String), e: 'AQAB' }]);
    const es = asymmetricKeys('ES256', ec.privateKey, 'k1').jwks().keys;
    expect(es).toEqual([
      { kty: 'EC', kid: 'k1', alg: 'ES256', use: 'sig', crv: 'P-256', x: expect.any(String), y: expect.any(String) },
    ]);
  });
});
