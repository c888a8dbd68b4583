import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { activeTraceId, createRootLogger } from '@app/observability';
import { ENV_REDIS_URL } from './setup/services';
import { createSchema, dropSchema, redisSkipReason, schemaUrl, testConfig, withClient } from './utils/harness';
import { freePort, waitForHttp } from './utils/server-process';

const ROOT = resolve(__dirname, '..');

/**
 * Runs TypeScript sources without a build: transpiles `.ts` with @swc/core (already a dev
 * dependency) and maps `@app/<lib>` to `libs/<lib>/src`, as jest's config does. The server
 * under test is `apps/api/src/main.ts` itself, tracing bootstrap included.
 */
const REGISTER = join(ROOT, 'test/utils/register-ts.js');

interface OtlpReceiver {
  server: Server;
  url: string;
  bodies: unknown[];
}

/** A tiny OTLP/HTTP (JSON) collector: records every export it receives. */
async function startReceiver(): Promise<OtlpReceiver> {
  const bodies: unknown[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        try {
          bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          bodies.push({ unparsable: true, contentType: req.headers['content-type'] });
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

interface Span {
  traceId: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

const attribute = (span: Span, ...keys: string[]): string | undefined =>
  span.attributes?.find((a) => keys.includes(a.key))?.value.stringValue;

function spansOf(bodies: unknown[]): { serviceNames: string[]; spans: Span[] } {
  const serviceNames: string[] = [];
  const spans: Span[] = [];
  for (const body of bodies as {
    resourceSpans?: {
      resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
      scopeSpans?: { spans?: Span[] }[];
    }[];
  }[]) {
    for (const rs of body.resourceSpans ?? []) {
      const name = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
      if (name) serviceNames.push(name);
      for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
    }
  }
  return { serviceNames, spans };
}

async function until<T>(read: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Tracing and structured logs', () => {
  describe('the API started from apps/api/src/main.ts with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
    let receiver: OtlpReceiver;
    let schema: string;
    let child: ChildProcessWithoutNullStreams;
    let output = '';
    let port: number;
    let exited: Promise<number | null>;
    let redisUrl: string | undefined;
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const secret = `SECRET-${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      receiver = await startReceiver();
      schema = await createSchema();
      redisUrl = redisSkipReason() ? undefined : process.env[ENV_REDIS_URL];
      port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'tapi-otel-'));
      child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, 'apps/api/src/main.ts')], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          PORT: String(port),
          DATABASE_URL: schemaUrl(schema),
          DATA_DIR: dir,
          JWT_SECRET: randomBytes(32).toString('hex'),
          DEMO_DATA: 'false',
          LOG_LEVEL: 'info',
          RATE_LIMIT_ENABLED: 'false',
          TRANSPARENCY_PUBLIC_READ: 'true',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `${schema}:` } : {}),
          // Nothing is written before SIGTERM on its own: the shutdown must flush the queue.
          AUDIT_FLUSH_INTERVAL_MS: '60000',
          AUDIT_BATCH_SIZE: '10000',
        },
      });
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      exited = new Promise((r) => child.on('exit', (code) => r(code)));
      await waitForHttp(port, '/health/ready', 45_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${output}`);
      });
    }, 60_000);

    afterAll(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await new Promise((r) => receiver?.server.close(r));
      if (schema) await dropSchema(schema);
    });

    const traceparent = `00-${traceId}-${parentSpanId}-01`;

    it('continues the caller’s W3C trace and puts its id in problem responses', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/nowhere`, { headers: { traceparent } });
      expect(res.status).toBe(404);
      const body = (await res.json()) as { trace_id?: string; request_id: string };
      expect(body.trace_id).toBe(traceId);
    });

    it('exports HTTP, Postgres and Redis spans under the service name transparency-api to the OTLP endpoint', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/trades?limit=1`, { headers: { traceparent } });
      expect(res.status).toBe(200);
      const found = await until(() => {
        const { serviceNames, spans } = spansOf(receiver.bodies);
        const ours = spans.filter((s) => s.traceId === traceId);
        const http = ours.some((s) => s.kind === 2);
        const pg = ours.some((s) => /^pg\.query/.test(s.name));
        // The response cache reads Redis when there is one.
        const redis = !redisUrl || ours.some((s) => attribute(s, 'db.system', 'db.system.name') === 'redis');
        return http && pg && redis ? { serviceNames, ours } : undefined;
      }, 15_000);
      expect(found.serviceNames).toContain('transparency-api');
      expect(found.ours.length).toBeGreaterThanOrEqual(2);
    }, 20_000);

    it('logs one JSON line per request with request id, trace id, actor, route, status and duration, and no secrets', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/trades/not-a-uuid?token=${secret}`, {
        headers: { traceparent, authorization: `Bearer ${secret}`, cookie: `session=${secret}` },
      });
      const requestId = res.headers.get('x-request-id');
      const line = await until(
        () =>
          output
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as Record<string, unknown>)
            .find((l) => l.request_id === requestId && l.msg === 'request completed'),
        5000,
      );
      expect(line).toMatchObject({
        level: 'info',
        trace_id: traceId,
        actor: 'anonymous',
        method: 'GET',
        route: '/api/v1/trades/:id',
        path: '/api/v1/trades/not-a-uuid',
        status: res.status,
        service: 'transparency-api',
      });
      expect(typeof line.duration_ms).toBe('number');
      expect(line.time).toMatch(/Z$/);
      expect(output).not.toContain(secret);
    });

    it('writes Nest’s own log lines as JSON too', () => {
      const lines = output.split('\n').filter((l) => l.includes('Transparency API listening'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', context: 'Bootstrap' });
    });

    it('records the exception of a 5xx on the request’s server span, with status ERROR', async () => {
      // A table gone from under a running app: an unexpected error, answered 500.
      await withClient((c) => c.query('ALTER TABLE backtests RENAME TO backtests_away'), schemaUrl(schema));
      let res: Response;
      try {
        res = await fetch(`http://127.0.0.1:${port}/api/v1/backtests`, { headers: { traceparent } });
      } finally {
        await withClient((c) => c.query('ALTER TABLE backtests_away RENAME TO backtests'), schemaUrl(schema));
      }
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).not.toMatch(/backtests_away|relation|QueryFailedError/);
      const requestId = res.headers.get('x-request-id');

      type SpanWithEvents = Span & {
        status?: { code?: number };
        events?: { name: string; attributes?: { key: string; value: { stringValue?: string } }[] }[];
      };
      const server = await until(() => {
        const spans = spansOf(receiver.bodies).spans as SpanWithEvents[];
        return spans.find(
          (s) => s.traceId === traceId && s.kind === 2 && (s.events ?? []).some((e) => e.name === 'exception'),
        );
      }, 15_000);
      expect(server.status?.code).toBe(2);
      const exception = server.events!.find((e) => e.name === 'exception')!;
      const attr = (key: string): string | undefined =>
        exception.attributes?.find((a) => a.key === key)?.value.stringValue;
      expect(attr('exception.type')).toBe('QueryFailedError');
      expect(attr('exception.message')).toMatch(/backtests/);
      expect(attr('exception.stacktrace')).toBeDefined();
      // The span is the one of this request: its target is the failing route.
      expect(attribute(server, 'http.target', 'url.path')).toBe('/api/v1/backtests');
      expect(requestId).toBeTruthy();
    }, 30_000);

    it('on SIGTERM writes the queued audit records, then exits 0', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/audit-probe-${i}`);
        ids.push(res.headers.get('x-request-id') ?? '');
      }
      const before = await withClient(
        async (c) =>
          (await c.query('SELECT count(*)::int AS n FROM audit_records WHERE request_id = ANY($1)', [ids])).rows[0].n,
        schemaUrl(schema),
      );
      expect(before).toBe(0);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const after = await withClient(
        async (c) =>
          (await c.query('SELECT count(*)::int AS n FROM audit_records WHERE request_id = ANY($1)', [ids])).rows[0].n,
        schemaUrl(schema),
      );
      expect(after).toBe(10);
    }, 30_000);
  });

  describe('in process, tracing off', () => {
    it('has no active trace and adds no trace id (no SDK is loaded without the endpoint)', () => {
      expect(activeTraceId()).toBeUndefined();
    });

    it('redacts secret fields wherever a log call passes them', () => {
      const lines: string[] = [];
      const sink = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
      const logger = createRootLogger(testConfig('public', { env: { LOG_LEVEL: 'info' } }), sink);
      logger.info(
        { password: 'p4ss', req: { headers: { authorization: 'Bearer t0k', cookie: 'c00k' } }, user: { token: 'x1' } },
        'oops',
      );
      const line = JSON.parse(lines[0]);
      expect(JSON.stringify(line)).not.toMatch(/p4ss|t0k|c00k|x1/);
      expect(line.password).toBe('[redacted]');
    });
  });
});
