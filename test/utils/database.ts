import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ENV_DATABASE_URL, ENV_REDIS_URL } from '../setup/services';

/**
 * The suites' Postgres, without the application: schema helpers that suites running the
 * compiled server in child processes can use without compiling the AppModule themselves.
 */
export function baseDatabaseUrl(): string {
  const url = process.env[ENV_DATABASE_URL];
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the e2e suites through jest (global setup).');
  return url;
}

/** A database URL whose sessions see only `schema` (search_path via the startup options). */
export function schemaUrl(schema: string, base = baseDatabaseUrl()): string {
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export async function createSchema(schema = `t_${randomBytes(6).toString('hex')}`): Promise<string> {
  await withClient(async (client) => client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`));
  return schema;
}

/**
 * Drops a test schema and what its apps left in the suite's Redis: every key prefix of a schema's
 * apps starts with its name (`t_…:`, `t_…-fresh:`), and the cache's version keys never expire.
 */
export async function dropSchema(schema: string): Promise<void> {
  await withClient(async (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  await dropRedisKeys(schema);
}

/** SCAN, never KEYS. An app on a private Redis left nothing in the suite's, and the scan finds nothing. */
async function dropRedisKeys(prefix: string): Promise<void> {
  const url = process.env[ENV_REDIS_URL];
  if (!url) return;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function withClient<T>(run: (client: Client) => Promise<T>, url = baseDatabaseUrl()): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
