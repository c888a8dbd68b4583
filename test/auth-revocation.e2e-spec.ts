import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { RevocationCache } from '@app/auth';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV, login, within } from './auth-helpers';
import { createTestApp, describeWithRedis, type TestApp } from './utils/harness';

/** Two replicas over one Postgres schema (and, with Redis, one key prefix), signing with one secret. */
async function replicas(redis: boolean): Promise<[TestApp, TestApp]> {
  const env = { ...AUTH_ENV, JWT_SECRET: randomBytes(32).toString('hex') };
  const a = await createTestApp({ redis, env });
  const b = await createTestApp({ redis, env, schema: a.schema });
  return [a, b];
}

const status = async (server: Server, token: string): Promise<number> =>
  (await request(server).get('/api/v1/auth/me').auth(token, { type: 'bearer' })).status;

async function expectRevocationReachesReplica(a: TestApp, b: TestApp): Promise<number> {
  const serverA = a.app.getHttpServer();
  const serverB = b.app.getHttpServer();
  const admin = await login(serverA, ADMIN_USERNAME, ADMIN_PASSWORD);
  const issued = await request(serverA)
    .post('/api/v1/admin/tokens')
    .auth(admin.access_token, { type: 'bearer' })
    .send({ subject: 'replicated', scopes: ['transparency:read'] })
    .expect(201);
  const token = issued.body.access_token as string;
  expect(await status(serverB, token)).toBe(200);

  await request(serverA)
    .delete(`/api/v1/admin/tokens/${issued.body.id}`)
    .auth(admin.access_token, { type: 'bearer' })
    .expect(204);
  const elapsed = await within(1000, async () => (await status(serverB, token)) === 401);
  expect(elapsed).toBeLessThan(1000);
  return elapsed;
}

describe('Revocation across replicas without Redis (polling Postgres)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await replicas(false);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a token revoked on one replica is refused by the other within 1 second', async () => {
    await expectRevocationReachesReplica(a, b);
  });

  it('a logout on one replica ends the session on the other within 1 second', async () => {
    const serverA = a.app.getHttpServer();
    const serverB = b.app.getHttpServer();
    const session = await login(serverB, ADMIN_USERNAME, ADMIN_PASSWORD);
    await request(serverA).post('/api/v1/auth/logout').auth(session.access_token, { type: 'bearer' }).expect(204);
    await within(1000, async () => (await status(serverB, session.access_token)) === 401);
  });

  it('prunes revocation entries once their token has expired, and keeps the live ones', async () => {
    await a.dataSource.query(
      `INSERT INTO revoked_tokens (jti, expires_at, reason) VALUES
        ('00000000-0000-4000-8000-0000000000e1', now() - interval '1 minute', 'test'),
        ('00000000-0000-4000-8000-0000000000e2', now() + interval '1 hour', 'test')`,
    );
    await a.app.get(RevocationCache).prune();
    const rows: { jti: string }[] = await a.dataSource.query(
      `SELECT jti FROM revoked_tokens WHERE jti IN ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2')`,
    );
    expect(rows.map((r) => r.jti)).toEqual(['00000000-0000-4000-8000-0000000000e2']);
  });

  it('a replica started after the revocation refuses the token from its first request (Postgres is the truth)', async () => {
    const serverA = a.app.getHttpServer();
    const session = await login(serverA, ADMIN_USERNAME, ADMIN_PASSWORD);
    await request(serverA).post('/api/v1/auth/logout').auth(session.access_token, { type: 'bearer' }).expect(204);
    const c = await createTestApp({
      redis: false,
      env: { ...AUTH_ENV, JWT_SECRET: a.config.jwt.secret },
      schema: a.schema,
    });
    try {
      expect(await status(c.app.getHttpServer(), session.access_token)).toBe(401);
    } finally {
      await c.close();
    }
  });
});

describeWithRedis('Revocation across replicas with Redis (pub/sub)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await replicas(true);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a token revoked on one replica is refused by the other within 1 second', async () => {
    await expectRevocationReachesReplica(a, b);
  });

  it('a replica whose Redis is down still refuses a revoked token within 1 second (it polls Postgres)', async () => {
    const cut = await createTestApp({
      schema: a.schema,
      env: { ...AUTH_ENV, JWT_SECRET: a.config.jwt.secret, REDIS_URL: 'redis://127.0.0.1:1/0' },
    });
    try {
      await expectRevocationReachesReplica(a, cut);
    } finally {
      await cut.close();
    }
  });

  it('an empty Redis (restarted, or another prefix) does not resurrect a revoked token', async () => {
    const serverA = a.app.getHttpServer();
    const session = await login(serverA, ADMIN_USERNAME, ADMIN_PASSWORD);
    await request(serverA).post('/api/v1/auth/logout').auth(session.access_token, { type: 'bearer' }).expect(204);
    const c = await createTestApp({
      redis: true,
      schema: a.schema,
      env: { ...AUTH_ENV, JWT_SECRET: a.config.jwt.secret, REDIS_KEY_PREFIX: `${a.schema}-fresh:` },
    });
    try {
      expect(await status(c.app.getHttpServer(), session.access_token)).toBe(401);
    } finally {
      await c.close();
    }
  });
});
