import { mkdtempSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, ForbiddenException, Get, Param, Post, Query, UnauthorizedException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min } from 'class-validator';
import request from 'supertest';
import { AuditService, AuditStore } from '@app/audit';
import { TokensService } from '@app/auth';
import { ApiProblemException, Public, type Scope, SecurityEvents } from '@app/common';
import { register } from 'prom-client';
import {
  baseDatabaseUrl,
  createSchema,
  createTestApp,
  dropSchema,
  type TestApp,
  withClient,
  schemaUrl,
} from './utils/harness';
import { TcpProxy } from './utils/tcp-proxy';

class ItemQuery {
  @Type(() => Number) @IsInt() @Min(1) @Max(10) size: number = 1;
}

class LoginBody {
  @IsString() username!: string;
  @IsString() password!: string;
}

/** Test-only routes producing each status the audit must record, whoever produces it in the app. */
@Public()
@Controller('audit-probe')
class AuditProbeController {
  @Get('items/:id')
  item(@Param('id') id: string, @Query() query: ItemQuery): { id: string; size: number } {
    return { id, size: query.size };
  }

  @Get('unauthorized')
  unauthorized(): never {
    throw new UnauthorizedException('No credentials.');
  }

  @Get('forbidden')
  forbidden(): never {
    throw new ForbiddenException('Missing scope.');
  }

  @Get('limited')
  limited(): never {
    throw new ApiProblemException({ status: 429, detail: 'Too many requests.' }, { 'Retry-After': '1' });
  }

  @Post('login')
  login(@Body() body: LoginBody): { ok: boolean } {
    return { ok: body.username.length > 0 };
  }
}

interface Row {
  id: string;
  request_id: string | null;
  actor: string;
  status: number | null;
  route: string | null;
  path: string | null;
  method: string | null;
  event: string;
  duration_ms: string | null;
  detail: Record<string, unknown> | null;
}

async function rows(t: TestApp, where = 'TRUE', params: unknown[] = []): Promise<Row[]> {
  return await t.dataSource.query<Row[]>(`SELECT * FROM audit_records WHERE ${where} ORDER BY seq`, params);
}

async function bearer(t: TestApp, scopes: Scope[]): Promise<string> {
  const token = await t.app
    .get(TokensService)
    .issueServiceToken({ subject: `audit-test-${scopes.join('+') || 'none'}`, scopes, ttlSeconds: 600 });
  return `Bearer ${token.accessToken}`;
}

async function metricValue(name: string): Promise<number> {
  const metric = await register.getSingleMetric(name)?.get();
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
}

/** Fires `total` GETs at `path`, `concurrency` at a time, over keep-alive connections to 127.0.0.1. */
async function burst(port: number, path: string, total: number, concurrency = 16): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    }),
  );
  return statuses;
}

const NO_LIMITS = { RATE_LIMIT_ENABLED: 'false' };

describe('Audit trail', () => {
  describe('recording', () => {
    let t: TestApp;
    let http: ReturnType<typeof request>;

    beforeAll(async () => {
      t = await createTestApp({ redis: false, env: NO_LIMITS, extraControllers: [AuditProbeController] });
      http = request(t.app.getHttpServer());
    });
    afterAll(async () => t?.close());

    it('records 200, 401, 403, 404, 422 and 429 responses with the request id the client saw', async () => {
      const cases: [string, number][] = [
        ['/api/v1/audit-probe/items/42?size=2', 200],
        ['/api/v1/audit-probe/unauthorized', 401],
        ['/api/v1/audit', 401],
        ['/api/v1/audit-probe/forbidden', 403],
        ['/api/v1/no-such-route/7', 404],
        ['/api/v1/audit-probe/items/42?size=99', 422],
        ['/api/v1/audit-probe/limited', 429],
      ];
      const seen: { id: string; status: number; path: string }[] = [];
      for (const [url, status] of cases) {
        const res = await http.get(url).set('User-Agent', 'audit-e2e/1.0').expect(status);
        seen.push({ id: res.headers['x-request-id'], status, path: url.split('?')[0] });
      }
      expect(await t.app.get(AuditService).flush()).toBe(true);

      for (const { id, status, path } of seen) {
        const [row] = await rows(t, 'request_id = $1', [id]);
        expect(row).toMatchObject({ status, path, method: 'GET', event: 'http.request', actor: 'anonymous' });
        expect(Number(row.duration_ms)).toBeGreaterThanOrEqual(0);
      }
      const [item] = await rows(t, 'request_id = $1', [seen[0].id]);
      expect(item.route).toBe('/api/v1/audit-probe/items/:id');
      const [unmatched] = await rows(t, 'request_id = $1', [seen[4].id]);
      expect(unmatched.route).toBeNull();
    });

    it('records body-parser refusals (413, 415, 400) that never reach a route', async () => {
      const big = await http
        .post('/api/v1/audit-probe/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ username: 'x'.repeat(300 * 1024), password: 'p' }))
        .expect(413);
      const text = await http
        .post('/api/v1/audit-probe/login')
        .set('Content-Type', 'text/plain')
        .send('hi')
        .expect(415);
      const bad = await http
        .post('/api/v1/audit-probe/login')
        .set('Content-Type', 'application/json')
        .send('{"username":')
        .expect(400);
      await t.app.get(AuditService).flush();
      for (const [res, status] of [
        [big, 413],
        [text, 415],
        [bad, 400],
      ] as const) {
        const [row] = await rows(t, 'request_id = $1', [res.headers['x-request-id']]);
        expect(row).toMatchObject({ status, method: 'POST', path: '/api/v1/audit-probe/login' });
      }
    });

    it('records the verified principal as actor and token id', async () => {
      const auth = await bearer(t, ['audit:read']);
      const res = await http.get('/api/v1/audit?limit=1').set('Authorization', auth).expect(200);
      await t.app.get(AuditService).flush();
      const [row] = await rows(t, 'request_id = $1', [res.headers['x-request-id']]);
      expect(row.actor).toBe('audit-test-audit:read');
      expect((row as unknown as { token_id: string }).token_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.route).toBe('/api/v1/audit');
    });

    it('never stores passwords, tokens, Authorization or cookies sent in headers, body or query', async () => {
      const secrets = {
        bearer: 'SECRETBEARER0a1b2c3d4e5f',
        cookie: 'SECRETCOOKIE9z8y7x',
        password: 'SECRETPASSWORD-hunter2',
        query: 'SECRETQUERYTOKEN-55aa',
      };
      const res = await http
        .post(`/api/v1/audit-probe/login?token=${secrets.query}&password=${secrets.password}`)
        .set('Authorization', `Bearer ${secrets.bearer}`)
        .set('Cookie', `session=${secrets.cookie}`)
        .send({ username: 'someone', password: secrets.password });
      expect(res.status).toBeLessThan(500);
      t.app.get(SecurityEvents).publish({
        type: 'login.failure',
        actor: 'someone',
        requestId: res.headers['x-request-id'],
        detail: { reason: 'bad password', password: secrets.password, authorization: `Bearer ${secrets.bearer}` },
      });
      await t.app.get(AuditService).flush();
      const stored = await rows(t, 'request_id = $1', [res.headers['x-request-id']]);
      expect(stored.map((r) => r.event).sort()).toEqual(['http.request', 'login.failure']);
      const everything = await t.dataSource.query<{ text: string }[]>(
        "SELECT string_agg(row_to_json(a)::text, E'\\n') AS text FROM audit_records a",
      );
      for (const secret of Object.values(secrets)) expect(everything[0].text).not.toContain(secret);
      expect(stored.find((r) => r.event === 'http.request')!.path).toBe('/api/v1/audit-probe/login');
    });

    it('records security events from the bus with their type as the event', async () => {
      t.app.get(SecurityEvents).publish({
        type: 'token.revoked',
        actor: 'admin',
        tokenId: '6f1c2d3e-0000-4000-8000-000000000001',
        ip: '203.0.113.9',
        detail: { reason: 'compromised' },
      });
      await t.app.get(AuditService).flush();
      const [row] = await rows(t, "event = 'token.revoked'");
      expect(row).toMatchObject({ actor: 'admin', status: null, route: null, detail: { reason: 'compromised' } });
    });

    it('does not record health probes, metrics scrapes, docs assets or CORS preflights', async () => {
      const before = (await rows(t)).length;
      await http.get('/health/live').expect(200);
      await http.get('/health/ready');
      await http.get('/metrics').expect(200);
      await http.get('/docs-json').expect(200);
      await http.get('/docs/');
      await http
        .options('/api/v1/audit')
        .set('Origin', 'http://localhost:3000')
        .set('Access-Control-Request-Method', 'GET');
      await t.app.get(AuditService).flush();
      expect((await rows(t)).length).toBe(before);
    });

    it('reports the queue in readiness details', async () => {
      const res = await http.get('/health/ready').expect(200);
      expect(res.body.checks.audit_queue).toMatchObject({ status: 'up', depth: expect.any(Number) });
    });
  });

  it('records the throttler’s own 429s with the request id the client saw', async () => {
    const t = await createTestApp({
      redis: false,
      env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '2' },
      extraControllers: [AuditProbeController],
    });
    try {
      const http = request(t.app.getHttpServer());
      const limited: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await http.get('/api/v1/audit-probe/items/1');
        if (res.status === 429) limited.push(res.headers['x-request-id']);
      }
      expect(limited.length).toBeGreaterThan(0);
      await t.app.get(AuditService).flush();
      const stored = await rows(t, 'request_id = ANY($1)', [limited]);
      expect(stored.map((r) => r.status)).toEqual(limited.map(() => 429));
    } finally {
      await t.close();
    }
  });

  describe('GET /api/v1/audit and /api/v1/audit/verify', () => {
    let t: TestApp;
    let http: ReturnType<typeof request>;
    let auth: string;

    beforeAll(async () => {
      t = await createTestApp({ redis: false, env: NO_LIMITS, extraControllers: [AuditProbeController] });
      http = request(t.app.getHttpServer());
      auth = await bearer(t, ['audit:read']);
      for (let i = 0; i < 5; i++) await http.get(`/api/v1/audit-probe/items/${i}`).expect(200);
      await http.get('/api/v1/audit-probe/forbidden').expect(403);
      await http.get('/api/v1/audit-probe/forbidden').expect(403);
      await t.app.get(AuditService).flush();
    });
    afterAll(async () => t?.close());

    it('lists records newest first with filters, the true total and pagination', async () => {
      const res = await http.get('/api/v1/audit?status=403&limit=1').set('Authorization', auth).expect(200);
      expect(res.body).toMatchObject({ total_count: 2, limit: 1, offset: 0 });
      expect(res.body.records).toHaveLength(1);
      expect(res.body.timestamp).toMatch(/Z$/);
      const record = res.body.records[0];
      expect(record).toMatchObject({ status: 403, event: 'http.request', route: '/api/v1/audit-probe/forbidden' });
      expect(record.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
      expect(typeof record.duration_ms).toBe('number');
      expect(record.hash).toMatch(/^[0-9a-f]{64}$/);

      const page2 = await http.get('/api/v1/audit?status=403&limit=1&offset=1').set('Authorization', auth).expect(200);
      expect(page2.body.records[0].id).not.toBe(record.id);

      const all = await http
        .get('/api/v1/audit?event=http.request&actor=anonymous')
        .set('Authorization', auth)
        .expect(200);
      expect(all.body.total_count).toBeGreaterThanOrEqual(7);
      const seqOrder = all.body.records.map((r: { occurred_at: string }) => r.occurred_at);
      expect([...seqOrder].sort().reverse()).toEqual(seqOrder);

      const future = new Date(Date.now() + 3_600_000).toISOString();
      const none = await http.get(`/api/v1/audit?from=${future}`).set('Authorization', auth).expect(200);
      expect(none.body).toMatchObject({ records: [], total_count: 0 });
    });

    it('refuses invalid filters with 422', async () => {
      for (const query of [
        'status=abc',
        'status=99',
        'limit=0',
        'limit=501',
        'offset=-1',
        // Past Postgres's bigint OFFSET, and NUL bytes Postgres refuses: 422, never a 500.
        'offset=99999999999999999999',
        'actor=admin%00',
        'event=login.failure%00',
        'status=200&status=404',
        'from=yesterday',
        'nope=1',
      ]) {
        const res = await http.get(`/api/v1/audit?${query}`).set('Authorization', auth).expect(422);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const later = new Date().toISOString();
      const earlier = new Date(Date.now() - 60_000).toISOString();
      await http.get(`/api/v1/audit?from=${later}&to=${earlier}`).set('Authorization', auth).expect(422);
    });

    it('requires a token with audit:read (401 without, 403 with another scope)', async () => {
      await http.get('/api/v1/audit').expect(401);
      await http.get('/api/v1/audit/verify').expect(401);
      const other = await bearer(t, ['transparency:read']);
      await http.get('/api/v1/audit').set('Authorization', other).expect(403);
      await http.get('/api/v1/audit/verify').set('Authorization', other).expect(403);
    });

    it('verifies an intact chain, then names the first record edited behind its back', async () => {
      const intact = await http.get('/api/v1/audit/verify').set('Authorization', auth).expect(200);
      expect(intact.body).toMatchObject({ valid: true, first_broken_id: null });
      expect(intact.body.checked).toBeGreaterThanOrEqual(7);

      const [victim] = await t.dataSource.query<{ id: string }[]>(
        'SELECT id FROM audit_records WHERE status = 403 ORDER BY seq LIMIT 1',
      );
      await t.dataSource.query('UPDATE audit_records SET status = 200 WHERE id = $1', [victim.id]);
      // The edit lies before the checkpoint the first run left: `full` rechecks from the start.
      const broken = await http.get('/api/v1/audit/verify?full=true').set('Authorization', auth).expect(200);
      expect(broken.body).toMatchObject({
        valid: false,
        first_broken_id: victim.id,
        reason: 'hash_mismatch',
        full: true,
      });

      // Restoring the value restores the chain; deleting a record breaks its successor's link.
      await t.dataSource.query('UPDATE audit_records SET status = 403 WHERE id = $1', [victim.id]);
      await http
        .get('/api/v1/audit/verify?full=true')
        .set('Authorization', auth)
        .expect(200, /"valid":true/);
      const [first, second] = await t.dataSource.query<{ id: string }[]>(
        'SELECT id FROM audit_records ORDER BY seq LIMIT 2',
      );
      await t.dataSource.query('DELETE FROM audit_records WHERE id = $1', [first.id]);
      const deleted = await http.get('/api/v1/audit/verify?full=true').set('Authorization', auth).expect(200);
      expect(deleted.body).toMatchObject({
        valid: false,
        first_broken_id: second.id,
        checked: 1,
        reason: 'broken_link',
      });
    });
  });

  describe('under load and failure', () => {
    it('a burst of 2,000 requests leaves exactly 2,000 request records, spilling past the memory bound', async () => {
      const t = await createTestApp({
        redis: false,
        env: { ...NO_LIMITS, AUDIT_QUEUE_MAX: '200', AUDIT_BATCH_SIZE: '100', AUDIT_FLUSH_INTERVAL_MS: '50' },
        extraControllers: [AuditProbeController],
      });
      try {
        const droppedBefore = await metricValue('audit_events_dropped_total');
        await t.app.listen(0, '127.0.0.1');
        const { port } = t.app.getHttpServer().address() as AddressInfo;
        const statuses = await burst(port, '/api/v1/audit-probe/items/burst', 2000);
        expect(statuses.filter((s) => s === 200)).toHaveLength(2000);
        expect(await t.app.get(AuditService).flush()).toBe(true);
        const [{ count }] = await t.dataSource.query<{ count: number }[]>(
          "SELECT count(*)::int AS count FROM audit_records WHERE path = '/api/v1/audit-probe/items/burst'",
        );
        expect(count).toBe(2000);
        expect(t.app.get(AuditService).depth).toBe(0);
        expect(await metricValue('audit_events_dropped_total')).toBe(droppedBefore);
      } finally {
        await t.close();
      }
    }, 60_000);

    it('keeps records while Postgres is unreachable and writes every one when it returns', async () => {
      const base = new URL(baseDatabaseUrl());
      const proxy = new TcpProxy(base.hostname, Number(base.port || 5432));
      await proxy.start();
      base.host = `127.0.0.1:${proxy.port}`;
      const t = await createTestApp({
        redis: false,
        databaseUrl: base.toString(),
        env: { ...NO_LIMITS, AUDIT_QUEUE_MAX: '40', AUDIT_BATCH_SIZE: '25', AUDIT_FLUSH_INTERVAL_MS: '50' },
        extraControllers: [AuditProbeController],
      });
      try {
        const http = request(t.app.getHttpServer());
        const ids: string[] = [];
        const send = async (n: number): Promise<void> => {
          for (let i = 0; i < n; i++) {
            const res = await http.get(`/api/v1/audit-probe/items/outage-${i}`).expect(200);
            ids.push(res.headers['x-request-id']);
          }
        };
        await send(30);
        await proxy.stop();
        await send(150); // far past the memory bound of 40: the rest spills to DATA_DIR
        await new Promise((r) => setTimeout(r, 300));
        expect(t.app.get(AuditService).depth).toBeGreaterThan(40);
        const ready = await http.get('/health').expect(503);
        expect(ready.body.checks.audit_queue.status).toBe('down');
        await proxy.start();
        await send(20);
        let flushed = false;
        for (let attempt = 0; attempt < 40 && !flushed; attempt++) {
          flushed = await t.app.get(AuditService).flush();
          if (!flushed) await new Promise((r) => setTimeout(r, 250));
        }
        expect(flushed).toBe(true);
        const stored = await withClient(
          (c) =>
            c.query<{ request_id: string }>('SELECT request_id FROM audit_records WHERE request_id = ANY($1)', [ids]),
          schemaUrl(t.schema),
        );
        expect(new Set(stored.rows.map((r) => r.request_id)).size).toBe(200);
        expect(stored.rows).toHaveLength(200);
      } finally {
        await t.close();
        await proxy.stop();
      }
    }, 60_000);

    it('writes a batch exactly once when the acknowledgement of its commit was lost', async () => {
      const t = await createTestApp({
        redis: false,
        env: { ...NO_LIMITS, AUDIT_FLUSH_INTERVAL_MS: '60000', AUDIT_BATCH_SIZE: '10000' },
        extraControllers: [AuditProbeController],
      });
      try {
        const store = t.app.get(AuditStore);
        const append = store.append.bind(store);
        const calls: { mayBeStored?: boolean }[] = [];
        // The first write commits, then the caller hears only an error (a connection lost
        // between COMMIT and its answer): the retry must find the rows and skip them.
        jest.spyOn(store, 'append').mockImplementation(async (entries, options) => {
          calls.push(options ?? {});
          const inserted = await append(entries, options);
          if (calls.length === 1) throw new Error('Connection terminated unexpectedly');
          return inserted;
        });
        const http = request(t.app.getHttpServer());
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) {
          ids.push((await http.get(`/api/v1/audit-probe/items/ack-${i}`).expect(200)).headers['x-request-id']);
        }
        expect(await t.app.get(AuditService).flush()).toBe(false);
        for (let i = 12; i < 15; i++) {
          ids.push((await http.get(`/api/v1/audit-probe/items/ack-${i}`).expect(200)).headers['x-request-id']);
        }
        let flushed = false;
        for (let attempt = 0; attempt < 40 && !flushed; attempt++) {
          flushed = await t.app.get(AuditService).flush();
          if (!flushed) await new Promise((r) => setTimeout(r, 100));
        }
        expect(flushed).toBe(true);
        expect(calls[0].mayBeStored).toBe(false);
        expect(calls.slice(1).every((c) => c.mayBeStored === true)).toBe(true);
        const stored = await t.dataSource.query<{ request_id: string }[]>(
          'SELECT request_id FROM audit_records WHERE request_id = ANY($1)',
          [ids],
        );
        expect(stored).toHaveLength(15);
        expect((await store.verify(true)).valid).toBe(true);
      } finally {
        await t.close();
      }
    }, 60_000);

    it('flushes a non-empty queue on shutdown, losing nothing', async () => {
      const schema = await createSchema();
      try {
        const t = await createTestApp({
          schema,
          redis: false,
          // Nothing would be written before shutdown on its own.
          env: { ...NO_LIMITS, AUDIT_FLUSH_INTERVAL_MS: '60000', AUDIT_BATCH_SIZE: '10000' },
          extraControllers: [AuditProbeController],
        });
        const http = request(t.app.getHttpServer());
        for (let i = 0; i < 25; i++) await http.get(`/api/v1/audit-probe/items/shutdown-${i}`).expect(200);
        expect(t.app.get(AuditService).depth).toBe(25);
        await t.close();
        const count = await withClient(
          async (c) =>
            (
              await c.query(
                "SELECT count(*)::int AS n FROM audit_records WHERE path LIKE '/api/v1/audit-probe/items/shutdown-%'",
              )
            ).rows[0].n,
          schemaUrl(schema),
        );
        expect(count).toBe(25);
      } finally {
        await dropSchema(schema);
      }
    });

    it('keeps the queue in DATA_DIR when Postgres is down at shutdown, and the next start writes it', async () => {
      const base = new URL(baseDatabaseUrl());
      const proxy = new TcpProxy(base.hostname, Number(base.port || 5432));
      await proxy.start();
      base.host = `127.0.0.1:${proxy.port}`;
      const schema = await createSchema();
      const dataDir = mkdtempSync(join(tmpdir(), 'tapi-audit-spill-'));
      const env = { ...NO_LIMITS, DATA_DIR: dataDir, AUDIT_QUEUE_MAX: '10', AUDIT_FLUSH_INTERVAL_MS: '60000' };
      try {
        const first = await createTestApp({
          schema,
          redis: false,
          databaseUrl: base.toString(),
          env,
          extraControllers: [AuditProbeController],
        });
        const http = request(first.app.getHttpServer());
        const ids: string[] = [];
        await proxy.stop();
        for (let i = 0; i < 25; i++) {
          ids.push((await http.get(`/api/v1/audit-probe/items/left-${i}`).expect(200)).headers['x-request-id']);
        }
        await first.close();
        expect(readdirSync(join(dataDir, 'audit-spill')).length).toBeGreaterThan(0);

        const second = await createTestApp({ schema, redis: false, env, extraControllers: [AuditProbeController] });
        try {
          expect(await second.app.get(AuditService).flush()).toBe(true);
          const stored = await second.dataSource.query<{ n: number }[]>(
            'SELECT count(DISTINCT request_id)::int AS n FROM audit_records WHERE request_id = ANY($1)',
            [ids],
          );
          expect(stored[0].n).toBe(25);
          expect(readdirSync(join(dataDir, 'audit-spill'))).toEqual([]);
        } finally {
          await second.close();
        }
      } finally {
        await proxy.stop();
        await dropSchema(schema);
      }
    }, 60_000);

    it('keeps one valid chain when two replicas write concurrently', async () => {
      const schema = await createSchema();
      const env = { ...NO_LIMITS, AUDIT_BATCH_SIZE: '7', AUDIT_FLUSH_INTERVAL_MS: '20' };
      const a = await createTestApp({ schema, redis: false, env, extraControllers: [AuditProbeController] });
      const b = await createTestApp({ schema, redis: false, env, extraControllers: [AuditProbeController] });
      try {
        await Promise.all(
          [a, b].map(async (t) => {
            const http = request(t.app.getHttpServer());
            for (let i = 0; i < 60; i++) await http.get(`/api/v1/audit-probe/items/replica-${i}`).expect(200);
            await t.app.get(AuditService).flush();
          }),
        );
        const auth = await bearer(a, ['audit:read']);
        const res = await request(a.app.getHttpServer())
          .get('/api/v1/audit/verify')
          .set('Authorization', auth)
          .expect(200);
        expect(res.body).toMatchObject({ valid: true, first_broken_id: null });
        expect(res.body.checked).toBeGreaterThanOrEqual(120);
      } finally {
        await a.close();
        await b.close();
        await dropSchema(schema);
      }
    });
  });
});
