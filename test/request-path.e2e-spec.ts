import { randomUUID } from 'node:crypto';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Body, Controller, HttpCode, Post, RequestMethod, type Type } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { TokensService } from '@app/auth';
import { ConnectionLossRetryInterceptor, IngestBody, type Scope, Scopes } from '@app/common';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV, login } from './auth-helpers';
import { trade } from './transparency-fixtures';
import { createTestApp, type TestApp } from './utils/harness';

const PROBLEM = /^application\/problem\+json/;
/** Small limits so that a flood is a handful of requests; blocks short enough not to matter. */
const LIMITED = {
  RATE_LIMIT_BURST: '4',
  RATE_LIMIT_PER_MINUTE: '1000',
  RATE_LIMIT_PER_HOUR: '1000',
  RATE_LIMIT_BLOCK_SECONDS: '5',
};

/**
 * An ingest route that read-only callers may reach: the real ingest routes need
 * transparency:write, so a read-only token is refused there (403) before its body is read,
 * and the scope-dependent limit could not be observed on them.
 */
@Controller('ingest-probe')
class IngestProbeController {
  @Post()
  @HttpCode(200)
  @Scopes('transparency:read')
  @IngestBody()
  ingest(@Body() body: unknown): { items: number } {
    return { items: Array.isArray(body) ? body.length : 0 };
  }
}

async function serviceToken(t: TestApp, scopes: Scope[]): Promise<string> {
  const subject = `request-path-${randomUUID()}`;
  return (await t.app.get(TokensService).issueServiceToken({ subject, scopes, ttlSeconds: 600 })).accessToken;
}

/**
 * Sends the headers of a request announcing a 1 MB body, then only its first bytes, and waits
 * for the answer. An answer proves the body was not read: a server that reads it would wait
 * for the rest, and the request would time out.
 */
function answerWithoutBody(
  server: Server,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method,
      path,
      headers: { 'Content-Type': 'application/json', 'Content-Length': '1000000', ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${path}: no answer while the body was incomplete (it was being read)`));
    }, 5000);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.flushHeaders();
    req.write('{"broken": [');
  });
}

describe('The request path: guards before bodies, every request counted', () => {
  describe('with a burst limit of 4', () => {
    let t: TestApp;
    let server: Server;

    beforeEach(async () => {
      // A fresh app per test: each starts with an untouched anonymous (per-IP) quota.
      t = await createTestApp({ redis: false, env: { ...AUTH_ENV, RATE_LIMIT_ENABLED: 'true', ...LIMITED } });
      server = t.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t?.close();
    });

    it.each(['/api/v1/nowhere', '/nowhere', '/wp-admin/setup-config.php'])(
      'throttles a 404 flood on %s: counted 404s with rate-limit headers, then 429',
      async (path) => {
        for (const remaining of [3, 2, 1, 0]) {
          const res = await request(server).get(path).expect(404);
          expect(res.headers['content-type']).toMatch(PROBLEM);
          expect(res.body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, instance: path });
          expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
        }
        const refused = await request(server).get(path).expect(429);
        expect(refused.headers['retry-after']).toBeDefined();
        expect(refused.headers['x-request-id']).toBeDefined();
      },
    );

    it('answers an unknown route 404 whatever its method, query or body (the body is not read)', async () => {
      await request(server).get('/api/v1/nowhere?x=1').expect(404);
      await request(server).delete('/nowhere').expect(404);
      const res = await answerWithoutBody(server, 'POST', '/api/v1/nowhere');
      expect(res.status).toBe(404);
    });

    it('answers an anonymous caller of a protected route 401 without reading its body, malformed or not', async () => {
      const unread = await answerWithoutBody(server, 'POST', '/api/v1/trades');
      expect(unread.status).toBe(401);
      expect(unread.headers['content-type']).toMatch(PROBLEM);
      expect(unread.headers['x-ratelimit-remaining']).toBe('3');
      const malformed = await request(server)
        .post('/api/v1/trades')
        .set('Content-Type', 'application/json')
        .send('{"not json')
        .expect(401);
      expect(malformed.headers['www-authenticate']).toMatch(/^Bearer /);
      // A non-JSON body is not looked at either: the 401 comes first, not a 415.
      await request(server).post('/api/v1/trades').set('Content-Type', 'text/plain').send('hello').expect(401);
    });

    it('answers a throttled client 429 without reading its body, on public and protected routes', async () => {
      for (let i = 0; i < 4; i++) await request(server).get('/api/v1/nowhere').expect(404);
      for (const path of ['/api/v1/auth/login', '/api/v1/trades']) {
        const unread = await answerWithoutBody(server, 'POST', path);
        expect({ path, status: unread.status }).toEqual({ path, status: 429 });
        await request(server).post(path).set('Content-Type', 'application/json').send('{"broken').expect(429);
      }
    });

    it('verifies the bearer before the throttler: a 403 is counted under the token subject, a 401 under the IP', async () => {
      const reader = await serviceToken(t, ['transparency:read']);
      for (const remaining of [3, 2, 1, 0]) {
        const res = await request(server).post('/api/v1/trades').auth(reader, { type: 'bearer' }).send([]).expect(403);
        expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
      }
      await request(server).post('/api/v1/trades').auth(reader, { type: 'bearer' }).send([]).expect(429);
      // The anonymous quota (the IP) is untouched by the token's requests.
      const anonymous = await request(server).post('/api/v1/trades').send([]).expect(401);
      expect(anonymous.headers['x-ratelimit-remaining']).toBe('3');
      // A forged token counts against the IP too: it authenticated no one.
      const forged = await request(server).get('/api/v1/auth/me').auth('a.b.c', { type: 'bearer' }).expect(401);
      expect(forged.headers['x-ratelimit-remaining']).toBe('2');
    });
  });

  describe('body limits and JSON depth (rate limit off)', () => {
    let t: TestApp;
    let admin: string;

    beforeAll(async () => {
      t = await createTestApp({ redis: false, env: AUTH_ENV, extraControllers: [IngestProbeController] });
      admin = (await login(t.app.getHttpServer(), ADMIN_USERNAME, ADMIN_PASSWORD)).access_token;
    });
    afterAll(async () => t?.close());

    it('allows INGEST_BODY_LIMIT only to a transparency:write caller; a read-only token gets BODY_LIMIT (413)', async () => {
      const server = t.app.getHttpServer();
      // About 1.1 MiB of valid trades: over BODY_LIMIT (256 KiB), under INGEST_BODY_LIMIT (4 MiB).
      const batch = Array.from({ length: 100 }, () => trade({ data: { note: 'x'.repeat(11_000) } }));
      const body = JSON.stringify(batch);
      expect(body.length).toBeGreaterThan(1024 * 1024);
      const reader = await serviceToken(t, ['transparency:read']);
      const post = (path: string, token: string) =>
        request(server).post(path).auth(token, { type: 'bearer' }).set('Content-Type', 'application/json').send(body);
      // On a real ingest route the read-only token is refused by scope, its body unread.
      await post('/api/v1/trades', reader).expect(403);
      // On an ingest route it may call, it gets BODY_LIMIT...
      const refused = await post('/api/v1/ingest-probe', reader).expect(413);
      expect(refused.headers['content-type']).toMatch(PROBLEM);
      expect(refused.body.detail).toContain(String(256 * 1024));
      // ...while a caller that also holds transparency:write gets INGEST_BODY_LIMIT there.
      const readWriter = await serviceToken(t, ['transparency:read', 'transparency:write']);
      await post('/api/v1/ingest-probe', readWriter).expect(200, { items: 100 });
      const writer = await serviceToken(t, ['transparency:write']);
      const accepted = await request(server)
        .post('/api/v1/trades')
        .auth(writer, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(201);
      expect(accepted.body).toMatchObject({ received: 100, inserted: 100 });
      // Past INGEST_BODY_LIMIT even the writer gets 413; admin implies transparency:write.
      const huge = JSON.stringify([trade({ data: { note: 'x'.repeat(5 * 1024 * 1024) } })]);
      await request(server)
        .post('/api/v1/trades')
        .auth(admin, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send(huge)
        .expect(413);
      // The large limit is for ingest routes only: a 1 MiB backtest from the writer is 413.
      await request(server)
        .post('/api/v1/backtests')
        .auth(admin, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ name: 'x'.repeat(1024 * 1024) }))
        .expect(413);
    });

    const deepArrays = '['.repeat(5000) + ']'.repeat(5000);
    const deepObjects = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const deepInField = `{"username":${'['.repeat(5000)}${']'.repeat(5000)},"password":"x"}`;
    const id = '00000000-0000-4000-8000-000000000001';
    const routes: [string, string][] = [
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/auth/refresh'],
      ['POST', '/api/v1/auth/logout'],
      ['POST', '/api/v1/admin/tokens'],
      ['POST', '/api/v1/admin/users'],
      ['PATCH', `/api/v1/admin/users/${id}`],
      ['POST', '/api/v1/backtests'],
      ['PUT', '/api/v1/portfolio/positions/BTC-USD'],
      ['POST', '/api/v1/ai/decisions'],
      ['PATCH', `/api/v1/ai/decisions/${id}`],
      ['POST', '/api/v1/trades'],
      ['POST', '/api/v1/performance/snapshots'],
    ];

    it.each(routes)('answers 5,000-deep JSON on %s %s with a 400 problem, never a 5xx', async (method, path) => {
      const server = t.app.getHttpServer();
      for (const [shape, body] of [
        ['arrays', deepArrays],
        ['objects', deepObjects],
        ['a deep field', deepInField],
      ]) {
        const res = await request(server)
          [method.toLowerCase() as 'post' | 'put' | 'patch'](path)
          .auth(admin, { type: 'bearer' })
          .set('Content-Type', 'application/json')
          .send(body);
        expect({ shape, status: res.status }).toEqual({ shape, status: 400 });
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.body).toMatchObject({ type: 'urn:transparency-api:problem:malformed-json', status: 400 });
        expect(res.body.detail).toContain('32');
      }
    });

    it('accepts JSON nested exactly 32 levels deep (the validation answers, not the depth check)', async () => {
      const server = t.app.getHttpServer();
      const nested32 = `{"username":${'['.repeat(31)}${']'.repeat(31)},"password":"x"}`;
      const res = await request(server)
        .post('/api/v1/auth/login')
        .set('Content-Type', 'application/json')
        .send(nested32);
      expect(res.status).toBe(422);
      const nested33 = `{"username":${'['.repeat(32)}${']'.repeat(32)},"password":"x"}`;
      await request(server)
        .post('/api/v1/auth/login')
        .set('Content-Type', 'application/json')
        .send(nested33)
        .expect(400);
    });
  });

  describe('per-request hooks', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ redis: false, env: AUTH_ENV });
    });
    afterAll(async () => t?.close());

    /** Every routed controller method: its class, name, HTTP method and path. */
    function routes(): { controller: Type; name: string; method: RequestMethod; handler: object }[] {
      const found: { controller: Type; name: string; method: RequestMethod; handler: object }[] = [];
      for (const module of t.app.get(ModulesContainer).values()) {
        for (const wrapper of module.controllers.values()) {
          const controller = wrapper.metatype as Type;
          for (const name of Object.getOwnPropertyNames(controller.prototype)) {
            const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as object | undefined;
            if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
            found.push({
              controller,
              name,
              method: Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod,
              handler,
            });
          }
        }
      }
      return found;
    }

    it('registers no global interceptor: a request pays only for the interceptors its route declares', () => {
      const config = (
        t.app as unknown as {
          config: { getGlobalInterceptors(): unknown[]; getGlobalRequestInterceptors(): unknown[] };
        }
      ).config;
      expect([...config.getGlobalInterceptors(), ...config.getGlobalRequestInterceptors()]).toEqual([]);
    });

    it('runs every database read once more after a lost connection (only health, metrics, keys and the 404 fallback do without)', () => {
      const withoutDatabase = new Set([
        'HealthController',
        'MetricsController',
        'JwksController',
        'UnmatchedRouteController',
      ]);
      const reads = routes().filter((r) => r.method === RequestMethod.GET && !withoutDatabase.has(r.controller.name));
      expect(reads.length).toBeGreaterThan(15);
      const unprotected = reads
        .filter(
          (r) =>
            !(Reflect.getMetadata(INTERCEPTORS_METADATA, r.handler) ?? []).includes(ConnectionLossRetryInterceptor),
        )
        .map((r) => `${r.controller.name}.${r.name}`);
      expect(unprotected).toEqual([]);
    });
  });
});
