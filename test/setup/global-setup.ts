import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  ENV_DATABASE_KIND,
  ENV_DATABASE_URL,
  ENV_REDIS_SKIP,
  ENV_REDIS_URL,
  inCi,
} from './services';
import { enterTempRoot } from './temp-root';

interface Started {
  redisServer?: ChildProcess;
  embedded?: { stop(): Promise<void> };
}

declare global {
  var __E2E_STARTED__: Started | undefined;
}

/**
 * Resolves the services the e2e suites use. Postgres: TEST_DATABASE_URL (its database name
 * must contain "test"); unreachable outside CI, the embedded PGlite stands in. Redis:
 * TEST_REDIS_URL; unreachable outside CI, a private redis-server on a free port, or, with no
 * binary, the Redis suites are skipped with the reason printed. Under CI=true both must answer.
 */
export default async function globalSetup(): Promise<void> {
  enterTempRoot();
  const started: Started = {};
  globalThis.__E2E_STARTED__ = started;

  const databaseUrl = process.env[ENV_DATABASE_URL] ?? DEFAULT_DATABASE_URL;
  const databaseName = new URL(databaseUrl).pathname.replace(/^\//, '');
  if (!databaseName.includes('test')) {
    throw new Error(`Refusing to run e2e tests against database "${databaseName}": its name must contain "test".`);
  }
  const pgProblem = await probePostgres(databaseUrl);
  if (!pgProblem) {
    process.env[ENV_DATABASE_URL] = databaseUrl;
    process.env[ENV_DATABASE_KIND] = 'postgres';
  } else if (inCi()) {
    throw new Error(`CI=true and Postgres at ${redact(databaseUrl)} is unreachable: ${pgProblem}`);
  } else {
    const { EmbeddedPostgres } = await import('../../libs/database/src/embedded-postgres');
    const embedded = await EmbeddedPostgres.start(mkdtempSync(join(tmpdir(), 'tapi-e2e-pg-')));
    started.embedded = embedded;
    process.env[ENV_DATABASE_URL] = embedded.url;
    process.env[ENV_DATABASE_KIND] = 'pglite';
    console.warn(
      `\n[e2e] Postgres at ${redact(databaseUrl)} is unreachable (${pgProblem}); using the embedded PGlite instead.\n`,
    );
  }

  const redisUrl = process.env[ENV_REDIS_URL] ?? DEFAULT_REDIS_URL;
  const redisProblem = await probeRedis(redisUrl);
  if (!redisProblem) {
    process.env[ENV_REDIS_URL] = redisUrl;
    return;
  }
  if (inCi()) throw new Error(`CI=true and Redis at ${redisUrl} is unreachable: ${redisProblem}`);
  if (spawnSync('redis-server', ['--version']).status === 0) {
    const port = await freePort();
    started.redisServer = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const privateUrl = `redis://127.0.0.1:${port}/1`;
    for (let i = 0; i < 50 && (await probeRedis(privateUrl)); i++) await new Promise((r) => setTimeout(r, 100));
    process.env[ENV_REDIS_URL] = privateUrl;
    console.warn(
      `\n[e2e] Redis at ${redisUrl} is unreachable (${redisProblem}); started a private redis-server on port ${port}.\n`,
    );
  } else {
    delete process.env[ENV_REDIS_URL];
    process.env[ENV_REDIS_SKIP] =
      `Redis at ${redisUrl} is unreachable (${redisProblem}) and no redis-server binary is installed`;
    console.warn(`\n[e2e] ${process.env[ENV_REDIS_SKIP]}: the Redis suites are skipped.\n`);
  }
}

async function probePostgres(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(url: string): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
