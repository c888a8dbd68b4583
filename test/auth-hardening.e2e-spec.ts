import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { RevocationStore, TokensService } from '@app/auth';
import { SECURITY_EVENT, type SecurityEvent } from '@app/common';
import {
  ADMIN_PASSWORD,
  ADMIN_USERNAME,
  AUTH_ENV,
  createUser,
  forgeHs256,
  claims,
  login,
  type LoginBody,
  sleep,
  within,
} from './auth-helpers';
import { createTestApp, type TestApp } from './utils/harness';

const refresh = (server: Server, refreshToken: string) =>
  request(server).post('/api/v1/auth/refresh').send({ refresh_token: refreshToken });
const me = (server: Server, accessToken: string) =>
  request(server).get('/api/v1/auth/me').auth(accessToken, { type: 'bearer' });
const revoke = (server: Server, body: unknown) =>
  request(server)
    .post('/api/v1/auth/revoke')
    .send(body as object);

describe('Identity hardening: token families, revocation, admin-minted tokens, usernames', () => {
  let t: TestApp;
  let server: Server;
  let admin: LoginBody;
  const events: SecurityEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: AUTH_ENV });
    server = t.app.getHttpServer();
    t.app.get(EventEmitter2).on(SECURITY_EVENT, (event: SecurityEvent) => events.push(event));
    admin = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
  });
  afterAll(async () => t?.close());

  describe('token family race (re-use and rotation in parallel)', () => {
    it('never leaves a live token in a family revoked for re-use, over many parallel trials', async () => {
      const { password } = await createUser(server, admin.access_token, 'racer', ['transparency:read']);
      const survivors: string[] = [];
      for (let trial = 0; trial < 40; trial += 1) {
        const first = await login(server, 'racer', password);
        const second = (await refresh(server, first.refresh_token).expect(200)).body as LoginBody;
        // The thief replays the rotated token while the victim rotates the current one.
        const [, legit] = await Promise.all([
          refresh(server, first.refresh_token),
          refresh(server, second.refresh_token),
        ]);
        const third = legit.status === 200 ? (legit.body as LoginBody) : undefined;
        for (const token of [second.refresh_token, third?.refresh_token]) {
          if (token && (await refresh(server, token)).status !== 401) survivors.push(`trial ${trial}: refresh`);
        }
        for (const token of [first.access_token, second.access_token, third?.access_token]) {
          if (token && (await me(server, token)).status !== 401) survivors.push(`trial ${trial}: access`);
        }
      }
      expect(survivors).toEqual([]);
    }, 120_000);
  });

  describe('a login racing its user being disabled', () => {
    it('never leaves the disabled user a live session, over many parallel trials', async () => {
      const survivors: string[] = [];
      for (let trial = 0; trial < 30; trial += 1) {
        const user = await createUser(server, admin.access_token, `disabled-race-${trial}`, ['transparency:read']);
        const [signedIn] = await Promise.all([
          request(server)
            .post('/api/v1/auth/login')
            .send({ username: `disabled-race-${trial}`, password: user.password }),
          request(server)
            .patch(`/api/v1/admin/users/${user.id}`)
            .auth(admin.access_token, { type: 'bearer' })
            .send({ disabled: true })
            .expect(200),
        ]);
        if (signedIn.status !== 200) continue;
        const session = signedIn.body as LoginBody;
        if ((await me(server, session.access_token)).status !== 401) survivors.push(`trial ${trial}: access`);
        if ((await refresh(server, session.refresh_token)).status !== 401) survivors.push(`trial ${trial}: refresh`);
      }
      expect(survivors).toEqual([]);
    }, 120_000);
  });

  describe('POST /api/v1/auth/revoke', () => {
    it('ends a session from its refresh token alone: the refresh and the access token both stop working', async () => {
      const session = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
      const res = await revoke(server, { token: session.refresh_token }).expect(200);
      expect(res.text).toBe('');
      await refresh(server, session.refresh_token).expect(401);
      await me(server, session.access_token).expect(401);
      expect(events.filter((e) => e.type === 'token.revoked').at(-1)).toMatchObject({
        actor: ADMIN_USERNAME,
        detail: { reason: 'revoke', presented: 'refresh' },
      });
    });

    it('ends a session from its access token: the refresh token of its family dies too', async () => {
      const session = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
      await revoke(server, { token: session.access_token }).expect(200);
      await me(server, session.access_token).expect(401);
      await refresh(server, session.refresh_token).expect(401);
    });

    it('revokes a service token presented by its holder', async () => {
      const issued = await request(server)
        .post('/api/v1/admin/tokens')
        .auth(admin.access_token, { type: 'bearer' })
        .send({ subject: 'leaky-service', scopes: ['transparency:read'] })
        .expect(201);
      await me(server, issued.body.access_token as string).expect(200);
      await revoke(server, { token: issued.body.access_token }).expect(200);
      await me(server, issued.body.access_token as string).expect(401);
    });

    it('answers 200 to unknown, garbage, forged and already revoked tokens, revealing nothing', async () => {
      const session = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
      await revoke(server, { token: session.refresh_token }).expect(200);
      const forged = forgeHs256({ alg: 'HS256', typ: 'JWT' }, claims(), 'not-the-secret-'.repeat(4));
      for (const token of [
        session.refresh_token,
        `rt_${randomBytes(32).toString('base64url')}`,
        `rt_${'x'.repeat(1000)}`,
        'garbage',
        forged,
        '\u0000',
      ]) {
        const res = await revoke(server, { token });
        expect([token.slice(0, 12), res.status, res.text]).toEqual([token.slice(0, 12), 200, '']);
      }
      // An unrelated session is untouched.
      await me(server, admin.access_token).expect(200);
    });

    it.each([
      ['no token', {}],
      ['a number', { token: 5 }],
      ['null', { token: null }],
      ['an empty string', { token: '' }],
      ['an oversized token', { token: 'a'.repeat(4097) }],
      ['an unknown field', { token: 'garbage', client_id: 'x' }],
    ])('refuses a malformed body (%s) with 422 problem+json', async (_name, body) => {
      const res = await revoke(server, body).expect(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('is public: no bearer token needed, and a bad one does not stop it', async () => {
      const session = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
      await request(server)
        .post('/api/v1/auth/revoke')
        .auth('not-a-token', { type: 'bearer' })
        .send({ token: session.refresh_token })
        .expect(200);
      await refresh(server, session.refresh_token).expect(401);
    });
  });

  describe('admin-minted tokens', () => {
    const issue = (body: object) =>
      request(server).post('/api/v1/admin/tokens').auth(admin.access_token, { type: 'bearer' }).send(body);

    it('never carry admin: a leaked admin token cannot mint lasting admin tokens (422)', async () => {
      for (const scopes of [['admin'], ['transparency:read', 'admin']]) {
        const res = await issue({ subject: 'escalator', scopes }).expect(422);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'scopes' })]);
      }
      const listed = await request(server)
        .get('/api/v1/admin/tokens?kind=service')
        .auth(admin.access_token, { type: 'bearer' })
        .expect(200);
      expect((listed.body.tokens as { subject: string }[]).some((x) => x.subject === 'escalator')).toBe(false);
    });

    it('still come with admin from the command line (the service it calls)', async () => {
      const token = await t.app
        .get(TokensService)
        .issueServiceToken({ subject: 'cli-admin', scopes: ['admin'], ttlSeconds: 600 });
      await request(server).get('/api/v1/admin/users').auth(token.accessToken, { type: 'bearer' }).expect(200);
    });

    it("refuse a subject that is an existing user's name (any case) or id (422)", async () => {
      const victim = await createUser(server, admin.access_token, 'Victim.User', ['transparency:read']);
      for (const subject of ['Victim.User', 'victim.user', 'VICTIM.USER', victim.id, victim.id.toUpperCase()]) {
        const res = await issue({ subject, scopes: ['transparency:read'] }).expect(422);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'subject' })]);
      }
      await issue({ subject: 'victim-user-service', scopes: ['transparency:read'] }).expect(201);
    });

    it("revoking a login session's access token by id revokes its whole family", async () => {
      const session = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
      const tokenId = (await me(server, session.access_token).expect(200)).body.token_id as string;
      await request(server)
        .delete(`/api/v1/admin/tokens/${tokenId}`)
        .auth(admin.access_token, { type: 'bearer' })
        .expect(204);
      await me(server, session.access_token).expect(401);
      await refresh(server, session.refresh_token).expect(401);
    });
  });

  describe('usernames are unique case-insensitively', () => {
    it('refuses a user whose name differs from an existing one only in case (409)', async () => {
      await request(server)
        .post('/api/v1/admin/users')
        .auth(admin.access_token, { type: 'bearer' })
        .send({ username: ADMIN_USERNAME.toUpperCase(), password: 'another-long-password', scopes: [] })
        .expect(409);
    });

    it('refuses it in the database too, whatever the application checks', async () => {
      await expect(
        t.dataSource.query(
          `INSERT INTO users (id, username, password_hash) VALUES ('00000000-0000-4000-8000-00000000a001', $1, 'x')`,
          [ADMIN_USERNAME.toUpperCase()],
        ),
      ).rejects.toThrow(/uq_users_username_lower/);
    });

    it('logs in whatever the case, as the one user', async () => {
      const session = await login(server, ADMIN_USERNAME.toUpperCase(), ADMIN_PASSWORD);
      expect((await me(server, session.access_token).expect(200)).body.username).toBe(ADMIN_USERNAME);
    });
  });
});

describe('Absolute session lifetime (SESSION_MAX_AGE)', () => {
  let t: TestApp;
  let server: Server;
  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: { ...AUTH_ENV, SESSION_MAX_AGE: '4s' } });
    server = t.app.getHttpServer();
  });
  afterAll(async () => t?.close());

  it('never lets rotation carry a session past its login + SESSION_MAX_AGE: then refresh is 401', async () => {
    const loggedInAt = Date.now();
    let current = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
    expect(current.expires_in).toBeLessThanOrEqual(4);
    // Rotating keeps working inside the lifetime, and never extends it.
    for (let i = 0; i < 2; i += 1) {
      await sleep(1000);
      current = (await refresh(server, current.refresh_token).expect(200)).body as LoginBody;
      expect(Date.now() + current.expires_in * 1000).toBeLessThanOrEqual(loggedInAt + 4000 + 1000);
    }
    const rows: { expires_at: Date }[] = await t.dataSource.query(
      'SELECT expires_at FROM refresh_tokens WHERE rotated_at IS NULL AND revoked_at IS NULL',
    );
    for (const row of rows) expect(new Date(row.expires_at).getTime()).toBeLessThanOrEqual(loggedInAt + 4000 + 1000);

    await sleep(Math.max(0, loggedInAt + 4500 - Date.now()));
    const res = await refresh(server, current.refresh_token).expect(401);
    expect(res.body.detail).toMatch(/log in again/);
    // A new login starts a new session.
    await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
  }, 30_000);
});

describe('Revocation polling with Redis cut: exact, however late a transaction commits', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = { ...AUTH_ENV, JWT_SECRET: randomBytes(32).toString('hex') };
    a = await createTestApp({ redis: false, env });
    b = await createTestApp({ redis: false, env, schema: a.schema });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a revocation committed 6 s after its transaction began reaches the other replica within 1 s', async () => {
    const serverA = a.app.getHttpServer();
    const serverB = b.app.getHttpServer();
    const adminA = await login(serverA, ADMIN_USERNAME, ADMIN_PASSWORD);
    const issue = async (subject: string) =>
      (
        await request(serverA)
          .post('/api/v1/admin/tokens')
          .auth(adminA.access_token, { type: 'bearer' })
          .send({ subject, scopes: ['transparency:read'] })
          .expect(201)
      ).body as { id: string; access_token: string; expires_at: string };
    const slow = await issue('slow-revocation');
    const quick = await issue('quick-revocation');
    await me(serverB, slow.access_token).expect(200);
    await me(serverB, quick.access_token).expect(200);

    // A long transaction (a slow disk, a lock wait) writes a revocation, then commits late...
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    const slowTransaction = a.dataSource.transaction(async (m) => {
      await a.app
        .get(RevocationStore)
        .persist([{ jti: slow.id, expiresAt: new Date(slow.expires_at) }], 'test_slow', m);
      await committed;
    });
    // ...while another revocation, committed 5.5 s into it, is seen by the other replica...
    await sleep(5500);
    await request(serverA)
      .delete(`/api/v1/admin/tokens/${quick.id}`)
      .auth(adminA.access_token, { type: 'bearer' })
      .expect(204);
    await within(1000, async () => (await me(serverB, quick.access_token)).status === 401);
    await sleep(600);
    commit();
    await slowTransaction;
    // ...and the late one still reaches it within a second.
    await within(1000, async () => (await me(serverB, slow.access_token)).status === 401);
  }, 30_000);
});

describe('POST /api/v1/auth/revoke is rate limited like every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      redis: false,
      env: { ...AUTH_ENV, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '1000' },
    });
  });
  afterAll(async () => t?.close());

  it('answers 429 with Retry-After to a burst of revocation guesses', async () => {
    const server = t.app.getHttpServer();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const res = await revoke(server, { token: `rt_${randomBytes(32).toString('base64url')}` });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
  });
});
