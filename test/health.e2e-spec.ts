import request from 'supertest';
import { AppLifecycle } from '@app/common';
import {
  baseDatabaseUrl,
  createSchema,
  createTestApp,
  describeWithRedis,
  dropSchema,
  type TestApp,
} from './utils/harness';
import { TcpProxy } from './utils/tcp-proxy';

const PROBLEM = /^application\/problem\+json/;

describe('Health probes', () => {
  describe('with Postgres behind a proxy the test can cut', () => {
    let proxy: TcpProxy;
    let schema: string;
    let t: TestApp;
    let http: ReturnType<typeof request>;

    beforeAll(async () => {
      const base = new URL(baseDatabaseUrl());
      proxy = new TcpProxy(base.hostname, Number(base.port || 5432));
      await proxy.start();
      base.host = `127.0.0.1:${proxy.port}`;
      schema = await createSchema();
      t = await createTestApp({ schema, redis: false, databaseUrl: base.toString() });
      http = request(t.app.getHttpServer());
    });

    afterAll(async () => {
      await t?.close();
      await proxy?.stop();
      await dropSchema(schema);
    });

    it('is live and ready, with the database reported up', async () => {
      await http.get('/health/live').expect(200);
      const ready = await http.get('/health/ready').expect(200);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.checks.database).toEqual({ status: 'up', latency_ms: expect.any(Number) });
      expect(ready.body.checks.redis).toBeUndefined();
      expect(ready.headers['cache-control']).toBe('no-store');
      const details = await http.get('/health').expect(200);
      expect(details.body.checks.database.status).toBe('up');
    });

    it('turns ready into 503 while Postgres is unreachable, keeps live at 200, and recovers', async () => {
      await proxy.stop();
      const down = await http.get('/health/ready').expect(503);
      expect(down.headers['content-type']).toMatch(PROBLEM);
      expect(down.body).toMatchObject({ status: 503, checks: { database: { status: 'down' } } });
      expect(down.body.request_id).toBe(down.headers['x-request-id']);
      // Status and latency only: the driver's error (host, port, user) stays in the log.
      expect(down.body.checks.database).toEqual({ status: 'down', latency_ms: expect.any(Number) });
      const details = await http.get('/health').expect(503);
      for (const body of [down.text, details.text]) {
        expect(body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|connect|postgres|timeout|message/i);
        expect(body).not.toContain(`:${proxy.port}`);
      }
      const live = await http.get('/health/live').expect(200);
      expect(live.body.status).toBe('ok');

      await proxy.start();
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await http.get('/health/ready')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
    });
  });

  describe('while shutting down', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ redis: false });
    });
    afterAll(async () => t?.close());

    it('answers ready with 503 once draining has begun, while live stays 200', async () => {
      const http = request(t.app.getHttpServer());
      await http.get('/health/ready').expect(200);
      t.app.get(AppLifecycle).beginShutdown();
      const res = await http.get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ detail: 'Shutting down.', shutting_down: true });
      await http.get('/health/live').expect(200);
    });
  });

  describeWithRedis('with Redis configured', () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('reports Redis up when it answers', async () => {
      t = await createTestApp();
      const res = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.checks.redis).toMatchObject({ status: 'up', required: false });
    });

    it('stays ready (200, degraded) with Redis reported down when Redis does not answer', async () => {
      // A port nothing listens on: Redis "stopped".
      t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1/0' } });
      const res = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.checks.database.status).toBe('up');
      expect(res.body.checks.redis).toEqual({ status: 'down', latency_ms: expect.any(Number), required: false });
      expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|redis:\/\/|message/);
    });
  });
});
