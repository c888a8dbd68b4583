import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ENV_DATABASE_URL } from '../setup/services';

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

export async function dropSchema(schema: string): Promise<void> {
  await withClient(async (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
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
