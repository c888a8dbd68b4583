import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withClient } from './database';
import { freePort, type ServerProcess, startServer, waitForHttp } from './server-process';

export const ADMIN_USERNAME = 'resilience-admin';
export const ADMIN_PASSWORD = 'resilience admin passphrase';

export interface Replica {
  name: string;
  port: number;
  url: string;
  /** Postgres `application_name` of this replica's sessions: how a test finds its backends. */
  applicationName: string;
  dataDir: string;
  server: ServerProcess;
}

export interface ReplicaOptions {
  name: string;
  schema: string;
  /** Postgres to connect to (a cuttable proxy's address, or the suites' server). */
  databaseUrl: string;
  redisUrl?: string;
  jwtSecret: string;
  /** The audit chain's key: replicas of one deployment seal one chain, so they share it. */
  auditKey: string;
  env?: Record<string, string>;
}

/**
 * One compiled API process as production runs it (`start:prod`), in `schema`. Replicas given
 * the same schema, JWT secret and audit key are one deployment. Rate limits are off: the load here is
 * one client on purpose, and the throttler has suites of its own.
 */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const port = await freePort();
  const applicationName = `${options.schema}_${options.name}`;
  const dataDir = mkdtempSync(join(tmpdir(), `tapi-res-${options.name}-`));
  const separator = options.databaseUrl.includes('?') ? '&' : '?';
  const server = startServer(
    {
      NODE_ENV: 'test',
      DATABASE_URL: `${options.databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${options.schema}`)}&application_name=${applicationName}`,
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: `${options.schema}:` } : {}),
      DATA_DIR: dataDir,
      JWT_SECRET: options.jwtSecret,
      AUDIT_HMAC_KEY: options.auditKey,
      DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      ADMIN_USERNAME,
      ADMIN_PASSWORD,
      RATE_LIMIT_ENABLED: 'false',
      ...options.env,
    },
    port,
  );
  try {
    await waitForHttp(port, '/health/ready', 30000);
  } catch (error) {
    server.child.kill('SIGKILL');
    throw new Error(`${options.name} did not become ready: ${String(error)}\n${server.output().slice(-2000)}`);
  }
  return { name: options.name, port, url: `http://127.0.0.1:${port}`, applicationName, dataDir, server };
}

/** Two (or more) replicas of one deployment, started together as an orchestrator would. */
export async function startReplicas(
  names: string[],
  options: Omit<ReplicaOptions, 'name' | 'jwtSecret' | 'auditKey'> & { jwtSecret?: string; auditKey?: string },
): Promise<Replica[]> {
  const jwtSecret = options.jwtSecret ?? randomBytes(32).toString('hex');
  const auditKey = options.auditKey ?? randomBytes(32).toString('hex');
  return Promise.all(names.map((name) => startReplica({ ...options, name, jwtSecret, auditKey })));
}

export async function stopReplicas(replicas: Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(async (replica) => {
      if (replica.server.child.exitCode !== null || replica.server.child.signalCode !== null) return;
      replica.server.child.kill('SIGKILL');
      await replica.server.exited;
    }),
  );
}

/** The end of the output of every replica that died: the first thing to read when a scenario fails. */
export function deaths(replicas: Replica[]): string[] {
  return replicas
    .filter((r) => r.server.child.exitCode !== null || r.server.child.signalCode !== null)
    .map(
      (r) =>
        `${r.name} exited (${r.server.child.exitCode ?? r.server.child.signalCode}):\n${r.server.output().slice(-3000)}`,
    );
}

async function json<T>(res: Response, expected: number, what: string): Promise<T> {
  if (res.status !== expected) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function adminToken(replica: Replica): Promise<string> {
  const res = await fetch(`${replica.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD }),
  });
  return (await json<{ access_token: string }>(res, 200, 'admin login')).access_token;
}

export interface ServiceToken {
  id: string;
  token: string;
}

export async function serviceToken(
  replica: Replica,
  admin: string,
  subject: string,
  scopes: string[],
): Promise<ServiceToken> {
  const res = await fetch(`${replica.url}/api/v1/admin/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` },
    body: JSON.stringify({ subject, scopes, ttl_seconds: 3600, description: 'resilience suite' }),
  });
  const body = await json<{ id: string; access_token: string }>(res, 201, 'service token');
  return { id: body.id, token: body.access_token };
}

/** Ends every Postgres session of these replicas, as a failover or an operator would. */
export async function terminateBackends(replicas: Replica[]): Promise<number> {
  return withClient(async (client) => {
    const result = await client.query<{ pid: number }>(
      // Materialised first: the filter must run before the terminate, never beside it.
      `WITH mine AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE application_name = ANY($1::text[]))
       SELECT pid FROM mine WHERE pg_terminate_backend(pid)`,
      [replicas.map((r) => r.applicationName)],
    );
    return result.rowCount ?? 0;
  });
}

/** Request ids (of `ids`) that have an audit record in `schema`. */
export async function auditedRequestIds(schema: string, ids: string[]): Promise<Set<string>> {
  return withClient(async (client) => {
    const result = await client.query<{ request_id: string }>(
      `SELECT DISTINCT request_id FROM "${schema}".audit_records WHERE request_id = ANY($1::text[])`,
      [ids],
    );
    return new Set(result.rows.map((r) => r.request_id));
  });
}

/** Waits until every id has its audit record (they are written in batches off the request path). */
export async function waitForAudit(schema: string, ids: string[], timeoutMs: number): Promise<Set<string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await auditedRequestIds(schema, ids);
    if (found.size >= new Set(ids).size || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Trade events with fresh ids, in the ingest shape. */
export function newTrades(count: number): { id: string; [field: string]: unknown }[] {
  return Array.from({ length: count }, () => ({
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    symbol: 'BTC-USD',
    event_type: 'order_filled',
    side: 'buy',
    quantity: 0.5,
    price: 50000,
    status: 'filled',
  }));
}
