import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openOk } from './stream-client';
import { createSchema, dropSchema, schemaUrl } from './utils/harness';
import { freePort, startServer, waitForHttp } from './utils/server-process';

describe('Live stream in the compiled server process', () => {
  it('SIGTERM ends every open stream with event: error (shutdown), then the process exits 0', async () => {
    const schema = await createSchema();
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    const server = startServer(
      {
        NODE_ENV: 'test',
        DATABASE_URL: schemaUrl(schema),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'tapi-stream-proc-')),
        ADMIN_USERNAME: 'stream-admin',
        ADMIN_PASSWORD: password,
        // A drain long enough to tell apart streams ended at the signal from streams ended after it.
        SHUTDOWN_DRAIN_MS: '3000',
      },
      port,
    );
    try {
      await waitForHttp(port, '/health/ready', 20000);
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'stream-admin', password }),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const streams = await Promise.all([openOk(port, { token }), openOk(port, { token })]);
      server.child.kill('SIGTERM');
      const signalledAt = Date.now();
      for (const stream of streams) {
        await stream.waitFor(() => stream.isEnded(), 10000);
        // At the signal, not after the drain: an open stream must not hold the listener open.
        expect(Date.now() - signalledAt).toBeLessThan(2000);
        const errors = stream.events.filter((e) => e.event === 'error').map((e) => JSON.parse(e.data) as object);
        expect(errors).toEqual([expect.objectContaining({ reason: 'shutdown' })]);
      }
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('Closed cleanly');
    } finally {
      server.child.kill('SIGKILL');
      await dropSchema(schema);
    }
  });
});
