import { request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSchema, dropSchema, schemaUrl } from './utils/harness';
import { freePort, startServer, waitForHttp } from './utils/server-process';

describe('The compiled server process (start:prod)', () => {
  it('exits non-zero at once on bad configuration, naming every bad variable in one message', async () => {
    const started = Date.now();
    const bad = startServer(
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://api@127.0.0.1:1/api',
        JWT_SECRET: 'tiny-secret-value',
        CORS_ORIGINS: '*',
        PORT: 'abc',
      },
      0,
    );
    const code = await bad.exited;
    expect(code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    const out = bad.output();
    expect(out).toMatch(/Invalid configuration \(4 problems\)/);
    expect(out).toContain('PORT:');
    expect(out).toContain('JWT_SECRET:');
    expect(out).toContain('CORS_ORIGINS:');
    expect(out).toContain('AUDIT_HMAC_KEY:');
    expect(out).not.toContain('tiny-secret-value');
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('refuses to run production on the embedded database: DATABASE_URL is required', async () => {
    const server = startServer(
      {
        NODE_ENV: 'production',
        JWT_SECRET: 'a-production-grade-secret-of-more-than-32-bytes',
        AUDIT_HMAC_KEY: 'a-production-grade-audit-key-of-more-than-32-bytes',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'tapi-proc-')),
      },
      0,
    );
    // Bounded: a server that does start (the bug) must not outlive the test.
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 15000);
    const code = await server.exited;
    clearTimeout(timer);
    expect(code).not.toBe(0);
    expect(server.output()).toMatch(/Invalid configuration \(1 problem\)[\s\S]*DATABASE_URL: required in production/);
  });

  it('finishes an in-flight request after SIGTERM, then exits 0', async () => {
    const schema = await createSchema();
    const port = await freePort();
    const server = startServer(
      { NODE_ENV: 'test', DATABASE_URL: schemaUrl(schema), DATA_DIR: mkdtempSync(join(tmpdir(), 'tapi-proc-')) },
      port,
    );
    try {
      await waitForHttp(port, '/health/ready', 15000);
      // A request whose body is still arriving when SIGTERM lands.
      const response = new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/in-flight',
            headers: { 'Content-Type': 'application/json', 'Content-Length': '13' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.write('{"slow":');
        setTimeout(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => req.end('true}'), 300);
        }, 100);
      });
      expect(await response).toBe(404);
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('SIGTERM received');
      // Stopped accepting: nothing listens any more.
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    } finally {
      server.child.kill('SIGKILL');
      await dropSchema(schema);
    }
  });
});
