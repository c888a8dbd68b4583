import type { Server } from 'node:http';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { APP_EVENTS, SECURITY_EVENT, type SecurityEvent, type TokenValidatedEvent } from '@app/common';
import {
  ADMIN_PASSWORD,
  ADMIN_USERNAME,
  AUTH_ENV,
  claims,
  createUser,
  forgeHs256,
  login,
  type LoginBody,
  unsigned,
} from './auth-helpers';
import { createTestApp, type TestApp } from './utils/harness';

const PROBLEM = /^application\/problem\+json/;

describe('Identity: login, tokens, scopes', () => {
  let t: TestApp;
  let server: Server;
  let admin: LoginBody;
  let reader: { id: string; password: string };
  const events: SecurityEvent[] = [];
  const validations: TokenValidatedEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: AUTH_ENV });
    server = t.app.getHttpServer();
    const emitter = t.app.get(EventEmitter2);
    emitter.on(SECURITY_EVENT, (event: SecurityEvent) => events.push(event));
    emitter.on(APP_EVENTS.tokenValidated, (event: TokenValidatedEvent) => validations.push(event));
    admin = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
    reader = await createUser(server, admin.access_token, 'reader', ['transparency:read']);
  });
  afterAll(async () => t?.close());

  const me = (token: string) => request(server).get('/api/v1/auth/me').auth(token, { type: 'bearer' });

  it('logs in with the seeded admin and returns a bearer pair whose access token carries the documented claims', async () => {
    expect(admin).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'admin' });
    expect(admin.refresh_token).toMatch(/^rt_/);
    const [header, payload] = admin.access_token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ iss: 'transparency-api', aud: 'transparency-api', scope: 'admin' });
    for (const claim of ['sub', 'jti', 'iat', 'exp']) expect(payload[claim]).toBeDefined();
    expect(payload.exp - payload.iat).toBe(900);
    const res = await me(admin.access_token).expect(200);
    expect(res.body).toEqual({
      sub: payload.sub,
      username: ADMIN_USERNAME,
      scopes: ['admin'],
      token_id: payload.jti,
      expires_at: new Date(payload.exp * 1000).toISOString(),
    });
    expect(events.some((e) => e.type === 'login.success' && e.actor === ADMIN_USERNAME && e.requestId)).toBe(true);
  });

  it('answers an unknown user and a wrong password with the same 401 body and a Bearer challenge', async () => {
    const unknown = await request(server)
      .post('/api/v1/auth/login')
      .send({ username: 'nobody', password: 'x' })
      .expect(401);
    const wrong = await request(server)
      .post('/api/v1/auth/login')
      .send({ username: 'reader', password: 'x' })
      .expect(401);
    expect(unknown.headers['content-type']).toMatch(PROBLEM);
    expect(unknown.headers['www-authenticate']).toMatch(/^Bearer /);
    const strip = (body: Record<string, unknown>) => ({ ...body, request_id: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(JSON.stringify(unknown.body)).not.toMatch(/nobody|exist/i);
    const failures = events.filter((e) => e.type === 'login.failure');
    expect(failures.map((e) => e.detail?.reason)).toEqual(expect.arrayContaining(['unknown_user', 'wrong_password']));
    expect(JSON.stringify(failures)).not.toContain('"x"');
  });

  it('spends the same hash work on an unknown username as on a wrong password', async () => {
    const time = async (username: string): Promise<number> => {
      const started = performance.now();
      await request(server).post('/api/v1/auth/login').send({ username, password: 'guess' }).expect(401);
      return performance.now() - started;
    };
    await time('warm-up-unknown');
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      unknown.push(await time(`ghost-${i}`));
      known.push(await time('reader'));
    }
    // An unknown user that skipped argon2 would answer several times faster. The fastest of each
    // is compared: a busy machine (CI runs suites side by side) only ever adds time, and with
    // medians of a few samples it once made the unknown user look twice as fast.
    expect(Math.min(...unknown)).toBeGreaterThan(Math.min(...known) * 0.5);
  });

  it('refuses every forged or misused token with 401 invalid_token', async () => {
    const secret = t.config.jwt.secret as string;
    const forged = {
      'alg none': unsigned(claims()),
      'wrong signature': forgeHs256({ alg: 'HS256', typ: 'JWT' }, claims(), 'not-the-secret-not-the-secret-xx'),
      'wrong issuer': forgeHs256({ alg: 'HS256', typ: 'JWT' }, claims({ iss: 'someone-else' }), secret),
      'wrong audience': forgeHs256({ alg: 'HS256', typ: 'JWT' }, claims({ aud: 'another-api' }), secret),
      expired: forgeHs256(
        { alg: 'HS256', typ: 'JWT' },
        claims({ iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 }),
        secret,
      ),
      'HS512 header': forgeHs256({ alg: 'HS512', typ: 'JWT' }, claims(), secret),
      'tampered payload': (() => {
        const [h, , s] = admin.access_token.split('.');
        const payload = JSON.parse(Buffer.from(admin.access_token.split('.')[1], 'base64url').toString());
        return `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'other' })).toString('base64url')}.${s}`;
      })(),
      'refresh token used as access token': admin.refresh_token,
      garbage: 'abc.def',
      'a critical header extension': forgeHs256({ alg: 'HS256', typ: 'JWT', crit: ['exp'] }, claims(), secret),
      'a foreign typ': forgeHs256({ alg: 'HS256', typ: 'JOSE+evil' }, claims(), secret),
      'a future iat': forgeHs256({ alg: 'HS256' }, claims({ iat: Math.floor(Date.now() / 1000) + 3600 }), secret),
      'an unknown token kind': forgeHs256({ alg: 'HS256' }, claims({ token_kind: 'refresh' }), secret),
      'no jti': forgeHs256({ alg: 'HS256' }, claims({ jti: undefined }), secret),
      'a JSON array payload': forgeHs256({ alg: 'HS256' }, [claims()], secret),
      'an oversized token': forgeHs256({ alg: 'HS256' }, claims({ pad: 'x'.repeat(9000) }), secret),
      // One token, one spelling: the genuine admin token re-spelled must not pass.
      'padded segment': `${admin.access_token}=`,
      'standard base64 alphabet': (() => {
        for (let n = 0; ; n++) {
          const token = forgeHs256({ alg: 'HS256' }, claims({ n }), secret);
          if (/[-_]/.test(token)) return token.replace(/-/g, '+').replace(/_/g, '/');
        }
      })(),
      'unused bits set in the signature': (() => {
        const [h, p, s] = admin.access_token.split('.');
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        // HS256 signatures are 32 bytes: 43 characters whose last carries 2 unused bits.
        return `${h}.${p}.${s.slice(0, -1)}${alphabet[alphabet.indexOf(s[s.length - 1]) ^ 1]}`;
      })(),
    };
    for (const [kind, token] of Object.entries(forged)) {
      const res = await me(token);
      expect({ kind, status: res.status }).toEqual({ kind, status: 401 });
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    }
    const expired = await me(forged.expired);
    expect(expired.body.detail).toMatch(/expired/);
    expect(validations.some((v) => v.result === 'expired')).toBe(true);
    expect(validations.some((v) => v.result === 'invalid')).toBe(true);
    // A token signed with the real secret and right claims is accepted: the refusals above are about the forgery.
    const genuine = forgeHs256({ alg: 'HS256', typ: 'JWT' }, claims({ scope: 'metrics:read' }), secret);
    await me(genuine).expect(200);
  });

  it('answers a missing token with 401 and a plain Bearer challenge, and a non-bearer scheme with 401', async () => {
    const res = await request(server).get('/api/v1/auth/me').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="transparency-api"');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    await request(server).get('/api/v1/auth/me').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
  });

  it('refuses an access token used as a refresh token', async () => {
    const res = await request(server)
      .post('/api/v1/auth/refresh')
      .send({ refresh_token: admin.access_token })
      .expect(401);
    expect(res.headers['content-type']).toMatch(PROBLEM);
  });

  it('answers 403 when the token lacks the scope, publishes scope.denied, and lets admin through every scope', async () => {
    const tokens = await login(server, 'reader', reader.password);
    expect(tokens.scope).toBe('transparency:read');
    const denied = await request(server)
      .get('/api/v1/admin/users')
      .auth(tokens.access_token, { type: 'bearer' })
      .expect(403);
    expect(denied.headers['content-type']).toMatch(PROBLEM);
    expect(denied.body.detail).toContain('admin');
    expect(denied.headers['www-authenticate']).toContain('insufficient_scope');
    const event = events.find((e) => e.type === 'scope.denied');
    expect(event).toMatchObject({ actor: 'reader', detail: { required: ['admin'] } });
    expect(event?.requestId).toBe(denied.headers['x-request-id']);
    await request(server).get('/api/v1/admin/users').auth(admin.access_token, { type: 'bearer' }).expect(200);
  });

  it('rotates refresh tokens, and re-use of a rotated one revokes the whole family', async () => {
    const first = await login(server, 'reader', reader.password);
    const second = (
      await request(server).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200)
    ).body as LoginBody;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    await me(second.access_token).expect(200);
    expect(events.some((e) => e.type === 'token.refreshed')).toBe(true);

    // The old refresh token comes back: someone copied it. Every token of the family dies.
    const reuse = await request(server)
      .post('/api/v1/auth/refresh')
      .send({ refresh_token: first.refresh_token })
      .expect(401);
    expect(reuse.headers['content-type']).toMatch(PROBLEM);
    expect(events.find((e) => e.type === 'token.refresh_reuse')).toMatchObject({
      detail: { revoked_access_tokens: 2 },
    });
    const revoked = await me(second.access_token).expect(401);
    expect(revoked.body.detail).toMatch(/revoked/);
    await me(first.access_token).expect(401);
    await request(server).post('/api/v1/auth/refresh').send({ refresh_token: second.refresh_token }).expect(401);
    expect(validations.some((v) => v.result === 'revoked')).toBe(true);
    // Another login of the same user is another family, untouched.
    const other = await login(server, 'reader', reader.password);
    await me(other.access_token).expect(200);
  });

  it('logs out: the access token and its refresh token stop working', async () => {
    const session = await login(server, 'reader', reader.password);
    await request(server).post('/api/v1/auth/logout').auth(session.access_token, { type: 'bearer' }).expect(204);
    await me(session.access_token).expect(401);
    await request(server).post('/api/v1/auth/refresh').send({ refresh_token: session.refresh_token }).expect(401);
    await request(server).post('/api/v1/auth/logout').expect(401);
    expect(events.some((e) => e.type === 'token.revoked' && e.detail?.reason === 'logout')).toBe(true);
  });

  it('logs out with a refresh token of another session of the caller, revoking that family too', async () => {
    const a = await login(server, 'reader', reader.password);
    const b = await login(server, 'reader', reader.password);
    await request(server)
      .post('/api/v1/auth/logout')
      .auth(a.access_token, { type: 'bearer' })
      .send({ refresh_token: b.refresh_token })
      .expect(204);
    await me(b.access_token).expect(401);
    await request(server).post('/api/v1/auth/refresh').send({ refresh_token: b.refresh_token }).expect(401);
    await request(server)
      .post('/api/v1/auth/logout')
      .auth((await login(server, 'reader', reader.password)).access_token, { type: 'bearer' })
      .send({ refresh_token: 42 })
      .expect(422);
  });

  it('validates the login and refresh bodies: missing, wrong types, unknown fields and 10 KB usernames are 422', async () => {
    const cases: unknown[] = [
      {},
      { username: 'reader' },
      { password: 'x' },
      { username: 5, password: 'x' },
      { username: 'reader', password: ['x'] },
      { username: 'reader', password: 'x', remember_me: true },
      { username: 'u'.repeat(10 * 1024), password: 'x' },
      { username: '', password: 'x' },
    ];
    for (const body of cases) {
      const res = await request(server)
        .post('/api/v1/auth/login')
        .send(body as object);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    for (const body of [{}, { refresh_token: 7 }, { refresh_token: 'x', extra: 1 }]) {
      await request(server).post('/api/v1/auth/refresh').send(body).expect(422);
    }
  });

  it('answers a username no user can have (a NUL byte) with the usual 401, not a 500', async () => {
    const nul = await request(server).post('/api/v1/auth/login').send({ username: 'reader\u0000', password: 'x' });
    const wrong = await request(server).post('/api/v1/auth/login').send({ username: 'reader', password: 'x' });
    expect(nul.status).toBe(401);
    expect({ ...nul.body, request_id: 0 }).toEqual({ ...wrong.body, request_id: 0 });
    await request(server).post('/api/v1/auth/refresh').send({ refresh_token: 'rt_\u0000' }).expect(401);
  });

  it('publishes an empty JWKS under HS256, publicly and outside /api', async () => {
    const before = validations.length;
    // Public, and verified anyway: a bad token on a public route is ignored, not refused.
    const res = await request(server).get('/.well-known/jwks.json').auth('garbage', { type: 'bearer' }).expect(200);
    expect(res.body).toEqual({ keys: [] });
    expect(validations.slice(before)).toEqual([{ result: 'invalid' }]);
    await request(server).get('/api/v1/.well-known/jwks.json').expect(404);
  });

  it('documents every identity route in OpenAPI with its security requirement', async () => {
    const doc = (await request(server).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: unknown[]; 'x-required-scopes'?: string[] }>>;
    };
    expect(doc.paths['/api/v1/auth/login']?.post?.security).toBeUndefined();
    expect(doc.paths['/api/v1/auth/me']?.get?.security).toEqual([{ bearer: [] }]);
    for (const [path, method] of [
      ['/api/v1/admin/tokens', 'post'],
      ['/api/v1/admin/tokens', 'get'],
      ['/api/v1/admin/tokens/{id}', 'delete'],
      ['/api/v1/admin/users', 'post'],
      ['/api/v1/admin/users', 'get'],
      ['/api/v1/admin/users/{id}', 'patch'],
    ] as const) {
      const operation = doc.paths[path]?.[method];
      expect({ path, method, security: operation?.security }).toEqual({ path, method, security: [{ bearer: [] }] });
      expect(operation?.['x-required-scopes']).toEqual(['admin']);
    }
    expect(doc.paths['/.well-known/jwks.json']?.get).toBeDefined();
  });
});
