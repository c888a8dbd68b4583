import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { PasswordService } from '@app/auth';
import { SECURITY_EVENT, type SecurityEvent } from '@app/common';
import { ENV_REDIS_URL } from './setup/services';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV, sleep } from './auth-helpers';
import { createTestApp, describeWithRedis, type TestApp } from './utils/harness';
import { TcpProxy } from './utils/tcp-proxy';

const PROBLEM = /^application\/problem\+json/;
const LOCKOUT_ENV = {
  ...AUTH_ENV,
  LOGIN_LOCKOUT_THRESHOLD: '3',
  LOGIN_LOCKOUT_IP_THRESHOLD: '6',
  LOGIN_LOCKOUT_WINDOW_SECONDS: '60',
};

const attempt = (server: Server, username: string, password: string) =>
  request(server).post('/api/v1/auth/login').send({ username, password });

async function fail(server: Server, username: string, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) await attempt(server, username, 'wrong-password').expect(401);
}

describe('Login lock-out, counted in memory', () => {
  let t: TestApp;
  let server: Server;
  const events: SecurityEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: LOCKOUT_ENV });
    server = t.app.getHttpServer();
    t.app.get(EventEmitter2).on(SECURITY_EVENT, (event: SecurityEvent) => events.push(event));
  });
  afterAll(async () => t?.close());

  it('locks a (username, IP) pair after the threshold, even for the right password, with 429 and Retry-After', async () => {
    await fail(server, ADMIN_USERNAME, 3);
    const locked = await attempt(server, ADMIN_USERNAME, ADMIN_PASSWORD).expect(429);
    expect(locked.headers['content-type']).toMatch(PROBLEM);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(locked.body).toMatchObject({ status: 429, retry_after: retryAfter });
    expect(locked.body.detail).toContain(`${retryAfter} seconds`);
    expect(events.find((e) => e.type === 'login.lockout')).toMatchObject({
      actor: ADMIN_USERNAME,
      detail: { reason: 'threshold', scope: 'pair' },
    });
    // Another username from the same IP is not locked by that pair.
    await attempt(server, 'someone-else', 'wrong-password').expect(401);
  });

  it('locks the IP across usernames after the IP threshold', async () => {
    // 3 (admin) + 1 (someone-else) failures so far: two more reach 6.
    await fail(server, 'spray-1', 1);
    await fail(server, 'spray-2', 1);
    const locked = await attempt(server, 'spray-3', 'wrong-password').expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(55);
    expect(events.some((e) => e.type === 'login.lockout' && e.detail?.scope === 'ip')).toBe(true);
  });
});

/**
 * Parallel guesses: the lock must be decided and counted before the password is checked, or
 * every guess in flight passes a check that sees none of the others.
 */
async function expectParallelGuessesBounded(t: TestApp): Promise<void> {
  const server = t.app.getHttpServer();
  const verify = jest.spyOn(t.app.get(PasswordService), 'verify');
  try {
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => (await attempt(server, ADMIN_USERNAME, 'wrong-password')).status),
    );
    expect(verify.mock.calls.length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 401)).toHaveLength(verify.mock.calls.length);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - verify.mock.calls.length);
    await attempt(server, ADMIN_USERNAME, ADMIN_PASSWORD).expect(429);
  } finally {
    verify.mockRestore();
  }
}

const RACE_ENV = { ...AUTH_ENV, LOGIN_LOCKOUT_THRESHOLD: '5', LOGIN_LOCKOUT_IP_THRESHOLD: '20' };

describe('Login lock-out against parallel guesses, in memory', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: RACE_ENV });
  });
  afterAll(async () => t?.close());

  it('20 concurrent wrong guesses get at most 5 password checks (the rest 429), then the right password is 429', async () => {
    await expectParallelGuessesBounded(t);
  });
});

describeWithRedis('Login lock-out against parallel guesses, counted in Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ redis: true, env: RACE_ENV });
  });
  afterAll(async () => t?.close());

  it('20 concurrent wrong guesses get at most 5 password checks (the rest 429), then the right password is 429', async () => {
    await expectParallelGuessesBounded(t);
  });
});

describe('Login lock-out of IPv6 clients', () => {
  let t: TestApp;
  let server: Server;
  beforeAll(async () => {
    // Behind a trusted proxy on loopback, so the test can speak for many IPv6 addresses.
    t = await createTestApp({ redis: false, env: { ...LOCKOUT_ENV, TRUST_PROXY: 'loopback' } });
    server = t.app.getHttpServer();
  });
  afterAll(async () => t?.close());

  const from = (ip: string, username: string) => attempt(server, username, 'wrong-password').set('X-Forwarded-For', ip);

  it('counts a /64 as one client: rotating addresses within it does not escape the locks', async () => {
    // Pair lock: 3 failures for one username from three addresses of one /64.
    for (const host of ['1', '2', '3']) await from(`2001:db8:1:1::${host}`, 'victim').expect(401);
    await from('2001:db8:1:1::4', 'victim').expect(429);
    // IP lock: 6 failures across usernames (3 above + 3 here), each from a new address.
    for (const host of ['5', '6', '7']) await from(`2001:db8:1:1::${host}`, `spray-${host}`).expect(401);
    await from('2001:db8:1:1:ffff::9', 'anyone').expect(429);
    // Another /64 is another client.
    await from('2001:db8:1:2::1', 'anyone').expect(401);
  });
});

describeWithRedis('Login lock-out, counted in Redis', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = { ...LOCKOUT_ENV, LOGIN_LOCKOUT_WINDOW_SECONDS: '2', JWT_SECRET: randomBytes(32).toString('hex') };
    a = await createTestApp({ redis: true, env });
    b = await createTestApp({ redis: true, env, schema: a.schema });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('counts failures across replicas, and lifts the lock when the window has passed', async () => {
    const serverA = a.app.getHttpServer();
    const serverB = b.app.getHttpServer();
    await fail(serverA, ADMIN_USERNAME, 2);
    await fail(serverB, ADMIN_USERNAME, 1);
    const locked = await attempt(serverA, ADMIN_USERNAME, ADMIN_PASSWORD).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(2);
    await attempt(serverB, ADMIN_USERNAME, ADMIN_PASSWORD).expect(429);
    await sleep(2100);
    await attempt(serverB, ADMIN_USERNAME, ADMIN_PASSWORD).expect(200);
  });

  it('answers logins and logouts promptly while Redis is connected but silent (a partition)', async () => {
    const target = new URL(process.env[ENV_REDIS_URL] as string);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.start();
    const t = await createTestApp({
      env: { ...LOCKOUT_ENV, REDIS_URL: `redis://127.0.0.1:${port}${target.pathname}` },
    });
    try {
      const server = t.app.getHttpServer();
      await attempt(server, ADMIN_USERNAME, ADMIN_PASSWORD).expect(200);
      proxy.frozen = true;
      const started = Date.now();
      const session = await attempt(server, ADMIN_USERNAME, ADMIN_PASSWORD).timeout(5000).expect(200);
      await request(server)
        .post('/api/v1/auth/logout')
        .auth(session.body.access_token, { type: 'bearer' })
        .timeout(5000)
        .expect(204);
      expect(Date.now() - started).toBeLessThan(2000);
      // Still limited meanwhile, in memory.
      await fail(server, 'partitioned', 3);
      await attempt(server, 'partitioned', 'wrong-password').timeout(5000).expect(429);
    } finally {
      proxy.frozen = false;
      await t.close();
      await proxy.stop();
    }
  });

  it('falls back to counting in memory while Redis does not answer', async () => {
    const t = await createTestApp({ env: { ...LOCKOUT_ENV, REDIS_URL: 'redis://127.0.0.1:1/0' } });
    try {
      const server = t.app.getHttpServer();
      await fail(server, ADMIN_USERNAME, 3);
      await attempt(server, ADMIN_USERNAME, ADMIN_PASSWORD).expect(429);
      // The shared degradable-Redis helper reports the fallback as its metric.
      const metrics = (await request(server).get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^redis_fallback_active\{feature="login_lockout"\} 1$/m);
    } finally {
      await t.close();
    }
  });
});
