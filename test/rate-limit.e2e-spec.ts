import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { APP_EVENTS, type RateLimitExceededEvent } from '@app/common';
import { RateLimitStorage } from '@app/edge';
import { RedisService } from '@app/redis';
import { EdgeProbeController, sleep, tokenFor } from './edge-probe';
import { ENV_REDIS_URL } from './setup/services';
import { createTestApp, describeWithRedis, type TestApp } from './utils/harness';
import { TcpProxy } from './utils/tcp-proxy';

const PROBLEM = /^application\/problem\+json/;
const OK = '/api/v1/edge-probe/ok';
const BEARER = { type: 'bearer' } as const;

/** Short windows so that the tests never sleep long: blocks of 2 s (burst, minute) and 3 s (hour). */
const LIMITS = {
  RATE_LIMIT_BURST: '50',
  RATE_LIMIT_PER_MINUTE: '50',
  RATE_LIMIT_PER_HOUR: '50',
  RATE_LIMIT_BLOCK_SECONDS: '2',
  RATE_LIMIT_HOUR_BLOCK_SECONDS: '3',
};

interface Started {
  t: TestApp;
  server: Server;
  exceeded: RateLimitExceededEvent[];
}

async function start(env: Record<string, string | undefined>, options: { schema?: string } = {}): Promise<Started> {
  const t = await createTestApp({
    env: { ...LIMITS, ...env },
    schema: options.schema,
    extraControllers: [EdgeProbeController],
  });
  const exceeded: RateLimitExceededEvent[] = [];
  t.app.get(EventEmitter2).on(APP_EVENTS.rateLimitExceeded, (event: RateLimitExceededEvent) => exceeded.push(event));
  return { t, server: t.app.getHttpServer(), exceeded };
}

/** A distinct client per test: a token of its own subject (the limiter keys on the verified subject). */
let clients = 0;
const newClient = (s: Started, scopes: 'transparency:read'[] = []): Promise<string> =>
  tokenFor(s.t, `client-${process.pid}-${++clients}`, scopes);

describeWithRedis('Rate limits over Redis', () => {
  describe.each([
    { limit: 'burst', variable: 'RATE_LIMIT_BURST', window: 1, blockSeconds: 2 },
    { limit: 'minute', variable: 'RATE_LIMIT_PER_MINUTE', window: 60, blockSeconds: 2 },
    { limit: 'hour', variable: 'RATE_LIMIT_PER_HOUR', window: 3600, blockSeconds: 3 },
  ])('the $limit limit set to 3', ({ limit, variable, window, blockSeconds }) => {
    let s: Started;
    beforeAll(async () => {
      s = await start({ [variable]: '3' });
    });
    afterAll(async () => s?.t.close());

    it('accepts 3 requests, counting down, and refuses the 4th with a 429 problem', async () => {
      const sub = await newClient(s);
      for (const remaining of [2, 1, 0]) {
        const res = await request(s.server).get(OK).auth(sub, BEARER).expect(200);
        expect(res.headers['x-ratelimit-limit']).toBe('3');
        expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
        expect(res.headers['ratelimit']).toMatch(new RegExp(`^"${limit}";r=${remaining};t=\\d+$`));
        expect(Number(res.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(window);
        expect(res.headers['ratelimit-policy']).toContain(`"${limit}";q=3;w=${window}`);
      }
      const refused = await request(s.server).get(OK).auth(sub, BEARER).expect(429);
      expect(refused.headers['content-type']).toMatch(PROBLEM);
      expect(refused.body).toMatchObject({
        status: 429,
        title: 'Too Many Requests',
        type: 'urn:transparency-api:problem:rate-limited',
        limit,
        retry_after: blockSeconds,
      });
      expect(refused.headers['retry-after']).toBe(String(blockSeconds));
      expect(refused.headers['ratelimit']).toBe(`"${limit}";r=0;t=${blockSeconds}`);
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      expect(refused.body.request_id).toBe(refused.headers['x-request-id']);
      expect(s.exceeded).toContainEqual({ limit });
    });

    it('keeps the client blocked for the whole block, with Retry-After counting down, then lets it back', async () => {
      const sub = await newClient(s);
      for (let i = 0; i < 3; i++) await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      const started = Date.now();
      await request(s.server).get(OK).auth(sub, BEARER).expect(429);
      await sleep(1100);
      const stillBlocked = await request(s.server).get(OK).auth(sub, BEARER).expect(429);
      const left = blockSeconds * 1000 - (Date.now() - started);
      expect(Number(stillBlocked.headers['retry-after'])).toBe(Math.ceil(left / 1000));
      expect(Number(stillBlocked.headers['retry-after'])).toBeLessThan(blockSeconds);
      await sleep(Math.max(0, blockSeconds * 1000 - (Date.now() - started)) + 100);
      const back = await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      expect(back.headers['x-ratelimit-remaining']).toBe('2');
    });
  });

  describe('with burst 3 and minute 5', () => {
    let s: Started;
    beforeAll(async () => {
      s = await start({ RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '5' });
    });
    afterAll(async () => s?.t.close());

    it('counts requests refused by the burst limit in neither the burst nor the minute limit', async () => {
      const sub = await newClient(s);
      for (let i = 0; i < 3; i++) await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      for (let i = 0; i < 8; i++) await request(s.server).get(OK).auth(sub, BEARER).expect(429);
      await sleep(2100);
      // 3 accepted so far: the minute allows 2 more, whatever the 8 refusals.
      const fourth = await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      expect(fourth.headers['ratelimit']).toMatch(/^"minute";r=1;t=\d+$/);
      await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      const refused = await request(s.server).get(OK).auth(sub, BEARER).expect(429);
      expect(refused.body.limit).toBe('minute');
    });

    it('keys on the client, not the route: every limited route draws on one quota', async () => {
      const sub = await newClient(s, ['transparency:read']);
      await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      await request(s.server).get('/api/v1/edge-probe/missing').auth(sub, BEARER).expect(404);
      await request(s.server).get('/api/v1/edge-probe/private').auth(sub, BEARER).expect(200);
      await request(s.server).get(OK).auth(sub, BEARER).expect(429);
    });

    it('keys on the token subject when there is one, else on the client IP', async () => {
      const alice = await newClient(s);
      for (let i = 0; i < 3; i++) await request(s.server).get(OK).auth(alice, BEARER).expect(200);
      await request(s.server).get(OK).auth(alice, BEARER).expect(429);
      // Same IP, another subject: its own quota. The anonymous caller on that IP: the IP's quota.
      const bob = await request(s.server)
        .get(OK)
        .auth(await newClient(s), BEARER)
        .expect(200);
      expect(bob.headers['x-ratelimit-remaining']).toBe('2');
      const anonymous = await request(s.server).get(OK).expect(200);
      expect(anonymous.body.sub).toBeNull();
      expect(anonymous.headers['x-ratelimit-remaining']).toBe('2');
      await request(s.server).get(OK).expect(200);
      await request(s.server).get(OK).expect(200);
      await request(s.server).get(OK).expect(429);
      await request(s.server)
        .get(OK)
        .auth(await newClient(s), BEARER)
        .expect(200);
      await sleep(2100);
    });

    it('puts the rate-limit headers on 200, 401, 403 and 404 alike, and counts them all', async () => {
      const sub = await newClient(s);
      const ok = await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      const unauthorized = await request(s.server).get('/api/v1/edge-probe/private').expect(401);
      const forbidden = await request(s.server).get('/api/v1/edge-probe/private').auth(sub, BEARER).expect(403);
      const notFound = await request(s.server).get('/api/v1/edge-probe/missing').auth(sub, BEARER).expect(404);
      for (const res of [ok, unauthorized, forbidden, notFound]) {
        expect(res.headers['ratelimit-policy']).toBe('"burst";q=3;w=1, "minute";q=5;w=60, "hour";q=50;w=3600');
        expect(res.headers['ratelimit']).toMatch(/^"(burst|minute)";r=\d;t=\d+$/);
        expect(res.headers['x-ratelimit-limit']).toMatch(/^\d+$/);
        expect(res.headers['x-ratelimit-remaining']).toMatch(/^\d+$/);
        expect(res.headers['x-ratelimit-reset']).toMatch(/^\d+$/);
      }
      expect([ok, forbidden, notFound].map((res) => res.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0']);
      expect(unauthorized.headers['content-type']).toMatch(PROBLEM);
      expect(forbidden.headers['content-type']).toMatch(PROBLEM);
      await request(s.server).get(OK).auth(sub, BEARER).expect(429);
    });

    it('gives a 429 the request id, the CORS headers and the security headers of any response', async () => {
      const sub = await newClient(s);
      const origin = 'http://localhost:3000';
      for (let i = 0; i < 3; i++) await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      const refused = await request(s.server)
        .get(OK)
        .auth(sub, BEARER)
        .set('Origin', origin)
        .set('X-Request-Id', 'limited-1')
        .expect(429);
      expect(refused.headers['x-request-id']).toBe('limited-1');
      expect(refused.body.request_id).toBe('limited-1');
      expect(refused.headers['access-control-allow-origin']).toBe(origin);
      expect(refused.headers['access-control-expose-headers']).toContain('Retry-After');
      expect(refused.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(refused.headers['x-frame-options']).toBe('DENY');
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
    });

    it('never counts or limits health probes, the docs and CORS preflights', async () => {
      const sub = await newClient(s);
      const before = await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      expect(before.headers['x-ratelimit-remaining']).toBe('2');
      for (let i = 0; i < 6; i++) {
        const live = await request(s.server).get('/health/live').expect(200);
        expect(live.headers['ratelimit']).toBeUndefined();
        await request(s.server).get('/health/ready').expect(200);
        await request(s.server).get('/docs-json').expect(200);
        await request(s.server)
          .options(OK)
          .set('Origin', 'http://localhost:3000')
          .set('Access-Control-Request-Method', 'GET')
          .expect(204);
      }
      const after = await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      expect(after.headers['x-ratelimit-remaining']).toBe('1');
      await sleep(1100);
    });
  });

  describe('two instances sharing one Redis', () => {
    let first: Started;
    let second: Started;
    beforeAll(async () => {
      // One database, one Redis key prefix and one signing key: two replicas of one deployment.
      const env = { RATE_LIMIT_BURST: '4', JWT_SECRET: randomBytes(32).toString('hex') };
      first = await start(env);
      second = await start(env, { schema: first.t.schema });
    });
    afterAll(async () => {
      await second?.t.close();
      await first?.t.close();
    });

    it('enforce one limit between them, and the block holds on both', async () => {
      const sub = await newClient(first);
      const servers = [first.server, second.server];
      for (let i = 0; i < 4; i++) {
        const res = await request(servers[i % 2])
          .get(OK)
          .auth(sub, BEARER)
          .expect(200);
        expect(res.headers['x-ratelimit-remaining']).toBe(String(3 - i));
      }
      const refused = await request(first.server).get(OK).auth(sub, BEARER).expect(429);
      expect(refused.headers['retry-after']).toBe('2');
      const alsoRefused = await request(second.server).get(OK).auth(sub, BEARER).expect(429);
      expect(Number(alsoRefused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(first.exceeded).toEqual([{ limit: 'burst' }]);
      expect(second.exceeded).toEqual([{ limit: 'burst' }]);
    });

    it('let exactly the limit through when a client fires concurrent requests at both', async () => {
      const sub = await newClient(first);
      const servers = [first.server, second.server];
      const statuses = await Promise.all(
        Array.from(
          { length: 12 },
          async (_, i) =>
            (
              await request(servers[i % 2])
                .get(OK)
                .auth(sub, BEARER)
            ).status,
        ),
      );
      expect(statuses.filter((status) => status === 200)).toHaveLength(4);
      expect(statuses.filter((status) => status === 429)).toHaveLength(8);
    });

    it('decide exactly when Redis has forgotten the script, for decisions sent together and alone', async () => {
      // Concurrent requests leave in one pipeline; each gets NOSCRIPT and is sent again in full.
      await first.t.app.get(RedisService).client?.script('FLUSH');
      const sub = await newClient(first);
      const together = await Promise.all(
        Array.from({ length: 6 }, async () => (await request(first.server).get(OK).auth(sub, BEARER)).status),
      );
      expect(together.filter((status) => status === 200)).toHaveLength(4);
      expect(together.filter((status) => status === 429)).toHaveLength(2);
      await first.t.app.get(RedisService).client?.script('FLUSH');
      const alone = await newClient(first);
      await request(first.server).get(OK).auth(alone, BEARER).expect(200);
    });
  });

  describe('when Redis does not answer', () => {
    let s: Started;
    beforeAll(async () => {
      s = await start({ RATE_LIMIT_BURST: '3', REDIS_URL: 'redis://127.0.0.1:1' });
    });
    afterAll(async () => s?.t.close());

    it('keeps limiting per instance in memory instead of failing requests', async () => {
      const sub = await newClient(s);
      for (const remaining of [2, 1, 0]) {
        const res = await request(s.server).get(OK).auth(sub, BEARER).expect(200);
        expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
      }
      const refused = await request(s.server).get(OK).auth(sub, BEARER).expect(429);
      expect(refused.headers['retry-after']).toBe('2');
    });
  });

  describe('when Redis goes away and comes back', () => {
    let proxy: TcpProxy;
    let s: Started;
    beforeAll(async () => {
      const redis = new URL(process.env[ENV_REDIS_URL] as string);
      proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
      await proxy.start();
      redis.host = `127.0.0.1:${proxy.port}`;
      s = await start({ RATE_LIMIT_BURST: '3', REDIS_URL: redis.toString() });
    });
    afterAll(async () => {
      await s?.t.close();
      await proxy?.stop();
    });

    it('falls back to memory while Redis is cut, without failing a request, and returns to Redis', async () => {
      const storage = s.t.app.get(RateLimitStorage);
      const sub = await newClient(s);
      await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      expect(storage.backend).toBe('redis');

      await proxy.stop();
      for (let i = 0; i < 3; i++) await request(s.server).get(OK).auth(sub, BEARER).expect(200);
      expect(storage.backend).toBe('memory');
      // The instance still limits on its own: the memory counters saw the three requests since the cut.
      await request(s.server).get(OK).auth(sub, BEARER).expect(429);

      await proxy.start();
      const deadline = Date.now() + 8000;
      while (storage.backend !== 'redis' && Date.now() < deadline) {
        await sleep(200);
        await request(s.server)
          .get(OK)
          .auth(await newClient(s), BEARER)
          .expect(200);
      }
      expect(storage.backend).toBe('redis');
    });
  });

  describe('with RATE_LIMIT_ENABLED=false', () => {
    let s: Started;
    beforeAll(async () => {
      s = await start({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_BURST: '1' });
    });
    afterAll(async () => s?.t.close());

    it('limits nothing and sends no rate-limit headers', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await request(s.server).get(OK).expect(200);
        expect(res.headers['ratelimit']).toBeUndefined();
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    });
  });
});
