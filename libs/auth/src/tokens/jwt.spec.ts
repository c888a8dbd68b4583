import { createHmac, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type AccessTokenClaims, signJwt, verifyJwt, type VerifyOptions } from './jwt';

const NOW = 1_800_000_000;
const secret = createSecretKey(Buffer.from('a-test-secret-of-at-least-32-bytes!!'));
const claims: AccessTokenClaims = {
  iss: 'issuer',
  aud: 'audience',
  sub: 'user-1',
  jti: 'token-1',
  iat: NOW - 10,
  exp: NOW + 890,
  scope: 'transparency:read',
  token_kind: 'user',
  username: 'alice',
};
const hsOptions: VerifyOptions = {
  alg: 'HS256',
  keyFor: () => secret,
  issuer: 'issuer',
  audience: 'audience',
  now: NOW,
};

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
function hmacToken(
  header: unknown,
  payload: unknown,
  key: string | Buffer = 'a-test-secret-of-at-least-32-bytes!!',
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe('verifyJwt under HS256', () => {
  it('accepts what signJwt produced and returns its claims', () => {
    expect(verifyJwt(signJwt(claims, { alg: 'HS256', key: secret }), hsOptions)).toEqual({ ok: true, claims });
  });

  it.each([
    ['alg none', `${b64({ alg: 'none' })}.${b64(claims)}.`, 'malformed'],
    ['alg none with a signature part', `${b64({ alg: 'none' })}.${b64(claims)}.AAAA`, 'algorithm'],
    ['HS512 in the header', hmacToken({ alg: 'HS512' }, claims), 'algorithm'],
    ['ES256 in the header', hmacToken({ alg: 'ES256' }, claims), 'algorithm'],
    ['another secret', hmacToken({ alg: 'HS256' }, claims, 'another-secret-another-secret-xxxxx'), 'signature'],
    ['a critical extension', hmacToken({ alg: 'HS256', crit: ['exp'] }, claims), 'malformed'],
    ['two parts', 'abc.def', 'malformed'],
    ['a JSON array payload', hmacToken({ alg: 'HS256' }, [claims]), 'malformed'],
    ['an oversized token', 'a'.repeat(9000), 'malformed'],
  ])('refuses %s', (_kind, token, reason) => {
    expect(verifyJwt(token, hsOptions)).toEqual({ ok: false, reason });
  });

  it.each([
    ['a wrong issuer', { iss: 'evil' }, 'claims'],
    ['a wrong audience', { aud: 'other' }, 'claims'],
    ['an audience list without ours', { aud: ['a', 'b'] }, 'claims'],
    ['no subject', { sub: '' }, 'claims'],
    ['no jti', { jti: undefined }, 'claims'],
    ['a string exp', { exp: String(NOW + 100) }, 'claims'],
    ['an unknown token kind', { token_kind: 'refresh' }, 'claims'],
    ['a future iat', { iat: NOW + 3600 }, 'claims'],
    ['a future nbf', { nbf: NOW + 60 }, 'claims'],
    ['an expired token', { exp: NOW - 1 }, 'expired'],
    ['a token expiring now', { exp: NOW }, 'expired'],
  ])('refuses %s', (_kind, overrides, reason) => {
    const token = hmacToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, ...overrides });
    expect(verifyJwt(token, hsOptions)).toEqual({ ok: false, reason });
  });

  it('accepts an audience list that contains ours', () => {
    const token = hmacToken({ alg: 'HS256' }, { ...claims, aud: ['other', 'audience'] });
    expect(verifyJwt(token, hsOptions)).toMatchObject({ ok: true, claims: { aud: 'audience' } });
  });

  it('refuses a tampered payload under a valid signature', () => {
    const [h, , s] = signJwt(claims, { alg: 'HS256', key: secret }).split('.');
    expect(verifyJwt(`${h}.${b64({ ...claims, scope: 'admin' })}.${s}`, hsOptions)).toEqual({
      ok: false,
      reason: 'signature',
    });
  });
});

describe('verifyJwt under ES256 and EdDSA', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ed = generateKeyPairSync('ed25519');
  const options = (alg: 'ES256' | 'EdDSA', keys: Record<string, KeyObject>): VerifyOptions => ({
    ...hsOptions,
    alg,
    keyFor: (kid) => (kid === undefined ? undefined : keys[kid]),
  });

  it('verifies with the key named by kid, and refuses unknown kids', () => {
    const token = signJwt(claims, { alg: 'ES256', key: ec.privateKey, kid: 'k1' });
    expect(verifyJwt(token, options('ES256', { k1: ec.publicKey }))).toMatchObject({ ok: true });
    expect(verifyJwt(token, options('ES256', { k2: ec.publicKey }))).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('refuses HS256 signed with the public key (algorithm confusion) and keys of the wrong type', () => {
    const pem = ec.publicKey.export({ format: 'pem', type: 'spki' });
    const confused = hmacToken({ alg: 'HS256', kid: 'k1' }, claims, Buffer.from(pem));
    expect(verifyJwt(confused, options('ES256', { k1: ec.publicKey }))).toEqual({ ok: false, reason: 'algorithm' });
    const edToken = signJwt(claims, { alg: 'EdDSA', key: ed.privateKey, kid: 'k1' });
    expect(verifyJwt(edToken, options('EdDSA', { k1: ec.publicKey }))).toEqual({ ok: false, reason: 'signature' });
    expect(verifyJwt(edToken, options('EdDSA', { k1: ed.publicKey }))).toMatchObject({ ok: true });
  });
});
