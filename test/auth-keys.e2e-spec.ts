import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV, claims, forgeAsymmetric, forgeHs256, login } from './auth-helpers';
import { createSchema, createTestApp, dropSchema, type TestApp } from './utils/harness';

const pem = (key: { export(o: { format: 'pem'; type: 'pkcs8' | 'spki' }): string | Buffer }, type: 'pkcs8' | 'spki') =>
  key.export({ format: 'pem', type }).toString();

const header = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;

const me = (server: Server, token: string) => request(server).get('/api/v1/auth/me').auth(token, { type: 'bearer' });

describe('Signing keys: ES256 with rotation, RS256, and the generated secrets', () => {
  const old = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const current = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  let before: TestApp;
  let after: TestApp;

  beforeAll(async () => {
    before = await createTestApp({
      redis: false,
      env: {
        ...AUTH_ENV,
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY: pem(old.privateKey, 'pkcs8'),
        JWT_KID: 'key-2026-10',
      },
    });
    after = await createTestApp({
      redis: false,
      schema: before.schema,
      env: {
        ...AUTH_ENV,
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY: pem(current.privateKey, 'pkcs8'),
        JWT_KID: 'key-2026-11',
        JWT_PUBLIC_KEYS: JSON.stringify({ 'key-2026-10': pem(old.publicKey, 'spki') }),
      },
    });
  });
  afterAll(async () => {
    await after?.close();
    await before?.close();
  });

  it('signs with the current key under its kid and still accepts tokens of the older key (rotation)', async () => {
    const oldToken = (await login(before.app.getHttpServer(), ADMIN_USERNAME, ADMIN_PASSWORD)).access_token;
    expect(header(oldToken)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'key-2026-10' });
    const newToken = (await login(after.app.getHttpServer(), ADMIN_USERNAME, ADMIN_PASSWORD)).access_token;
    expect(header(newToken)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'key-2026-11' });
    await me(after.app.getHttpServer(), oldToken).expect(200);
    await me(after.app.getHttpServer(), newToken).expect(200);
    // The old deployment does not know the new key.
    await me(before.app.getHttpServer(), newToken).expect(401);
  });

  it('publishes every public key at /.well-known/jwks.json, never a private member', async () => {
    const res = await request(after.app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
    const keys = res.body.keys as Record<string, unknown>[];
    expect(keys.map((k) => k.kid).sort()).toEqual(['key-2026-10', 'key-2026-11']);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
    // The published key is the one that verifies.
    const published = createPublicKey({
      key: keys.find((k) => k.kid === 'key-2026-11') as object,
      format: 'jwk',
    } as never);
    expect(published.export({ format: 'pem', type: 'spki' })).toBe(pem(current.publicKey, 'spki'));
  });

  it('refuses algorithm confusion, unknown kids, foreign keys and alg none under ES256', async () => {
    const server = after.app.getHttpServer();
    const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const forged = {
      // The classic: HS256 "signed" with the public key as the HMAC secret.
      'HS256 with the public key as secret': forgeHs256(
        { alg: 'HS256', typ: 'JWT', kid: 'key-2026-11' },
        claims(),
        pem(current.publicKey, 'spki'),
      ),
      'unknown kid': forgeAsymmetric({ alg: 'ES256', kid: 'key-1999' } as never, claims(), current.privateKey),
      'no kid': forgeAsymmetric({ alg: 'ES256' }, claims(), current.privateKey),
      'foreign key under a known kid': forgeAsymmetric(
        { alg: 'ES256', kid: 'key-2026-11' } as never,
        claims(),
        stranger.privateKey,
      ),
      'EdDSA header (not offered, docs/auth.md)': forgeAsymmetric(
        { alg: 'EdDSA', kid: 'key-2026-11' },
        claims(),
        generateKeyPairSync('ed25519').privateKey,
      ),
      'RS256 header under ES256': forgeAsymmetric(
        { alg: 'RS256', kid: 'key-2026-11' },
        claims(),
        generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      ),
      'padded signature (non-canonical spelling of a genuine token)': `${forgeAsymmetric(
        { alg: 'ES256', kid: 'key-2026-11' },
        claims(),
        current.privateKey,
      )}=`,
    };
    for (const [kind, token] of Object.entries(forged)) {
      const res = await me(server, token);
      expect({ kind, status: res.status }).toEqual({ kind, status: 401 });
    }
    // Signed with the real key and kid, the same claims pass: the refusals are about the forgery.
    const genuine = forgeAsymmetric({ alg: 'ES256', kid: 'key-2026-11' } as never, claims(), current.privateKey);
    await me(server, genuine).expect(200);
  });
});

describe('RS256 signing', () => {
  it('signs RSA tokens, publishes an RSA key and refuses forgeries under RS256', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const t = await createTestApp({
      redis: false,
      env: { ...AUTH_ENV, JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: pem(pair.privateKey, 'pkcs8'), JWT_KID: 'rsa-1' },
    });
    try {
      const server = t.app.getHttpServer();
      const token = (await login(server, ADMIN_USERNAME, ADMIN_PASSWORD)).access_token;
      expect(header(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'rsa-1' });
      await me(server, token).expect(200);
      const jwks = await request(server).get('/.well-known/jwks.json').expect(200);
      expect(jwks.body.keys).toEqual([
        { kty: 'RSA', kid: 'rsa-1', alg: 'RS256', use: 'sig', n: expect.any(String), e: 'AQAB' },
      ]);
      const published = createPublicKey({ key: jwks.body.keys[0] as object, format: 'jwk' } as never);
      expect(published.export({ format: 'pem', type: 'spki' })).toBe(pem(pair.publicKey, 'spki'));
      const forged = {
        'HS256 with the public key as secret': forgeHs256(
          { alg: 'HS256', typ: 'JWT', kid: 'rsa-1' },
          claims(),
          pem(pair.publicKey, 'spki'),
        ),
        'foreign RSA key under the kid': forgeAsymmetric(
          { alg: 'RS256', kid: 'rsa-1' },
          claims(),
          generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        ),
        'alg none': `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`,
      };
      for (const [kind, forgery] of Object.entries(forged)) {
        const res = await me(server, forgery);
        expect({ kind, status: res.status }).toEqual({ kind, status: 401 });
      }
    } finally {
      await t.close();
    }
  });

  it('generates an RSA key on the embedded default, persists it 0600 and keeps tokens valid across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tapi-auth-rsa-'));
    const env = { ...AUTH_ENV, JWT_ALGORITHM: 'RS256', JWT_SECRET: undefined, DATA_DIR: dataDir };
    const schema = await createSchema();
    try {
      const first = await createTestApp({ redis: false, env, schema });
      let token: string;
      try {
        token = (await login(first.app.getHttpServer(), ADMIN_USERNAME, ADMIN_PASSWORD)).access_token;
        expect(header(token)).toMatchObject({ alg: 'RS256', kid: expect.stringMatching(/^generated-/) });
      } finally {
        await first.close();
      }
      const file = statSync(join(dataDir, 'jwt-private-key-rs256.pem'));
      expect(file.mode & 0o777).toBe(0o600);
      const second = await createTestApp({ redis: false, env, schema });
      try {
        await me(second.app.getHttpServer(), token).expect(200);
      } finally {
        await second.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});

describe('Generated HS256 secret', () => {
  it('persists a generated secret 0600 under DATA_DIR, so tokens survive a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tapi-auth-keys-'));
    const env = { ...AUTH_ENV, JWT_SECRET: undefined, DATA_DIR: dataDir };
    const schema = await createSchema();
    try {
      const first = await createTestApp({ redis: false, env, schema });
      let token: string;
      try {
        token = (await login(first.app.getHttpServer(), ADMIN_USERNAME, ADMIN_PASSWORD)).access_token;
      } finally {
        await first.close();
      }
      const file = statSync(join(dataDir, 'jwt-secret'));
      expect(file.mode & 0o777).toBe(0o600);
      expect(file.size).toBeGreaterThanOrEqual(64);
      const second = await createTestApp({ redis: false, env, schema });
      try {
        await me(second.app.getHttpServer(), token).expect(200);
      } finally {
        await second.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });
});
