import { performance } from 'node:perf_hooks';
import { ENV_REDIS_URL } from '../setup/services';
import { baseDatabaseUrl, createSchema, dropSchema, withClient } from '../utils/database';
import { type LoadRequest, report, runLoad, summarise } from '../utils/load';
import {
  adminToken,
  deaths,
  newTrades,
  type Replica,
  serviceToken,
  sleep,
  startReplicas,
  stopReplicas,
  terminateBackends,
  waitForAudit,
} from '../utils/replicas';

/**
 * Postgres sessions killed under the replicas (`pg_terminate_backend` on their own backends,
 * found by application_name: the shared server keeps running for everyone else) during mixed
 * reads and ingest. Interrupted work is run again on a fresh connection; no 5xx reaches a
 * client; every ingest answered 201 is stored, and every answered request is audited.
 */
const TERMINATE_ROUNDS = 6;
// Apart by more than a request lasts on a busy machine: one retry is for one failover, not two.
const TERMINATE_EVERY_MS = 1500;

describe('Resilience: Postgres backends terminated under load', () => {
  let schema: string;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    schema = await createSchema();
  });

  afterAll(async () => {
    await stopReplicas(replicas);
    await dropSchema(schema);
  });

  it('answers every read and ingest (re-running interrupted work on a fresh connection), stores every 201 and audits everything', async () => {
    replicas = await startReplicas(['a', 'b'], {
      schema,
      databaseUrl: baseDatabaseUrl(),
      redisUrl: process.env[ENV_REDIS_URL],
    });
    const [a, b] = replicas as [Replica, Replica];
    const admin = await adminToken(a);
    const { token } = await serviceToken(a, admin, 'trading-engine', ['transparency:read', 'transparency:write']);

    const ingested = new Map<string, string[]>();
    let done = false;
    let terminated = 0;
    let rounds = 0;
    const terminator = (async () => {
      // A handful of failovers spread over the run, each taking every session of both replicas.
      await sleep(300);
      while (!done && rounds < TERMINATE_ROUNDS) {
        terminated += await terminateBackends(replicas);
        rounds++;
        await sleep(TERMINATE_EVERY_MS);
      }
    })();
    const started = performance.now();
    const outcomes = await runLoad({
      concurrency: 8,
      count: 600,
      next: (i): LoadRequest => {
        const replica = i % 2 === 0 ? a : b;
        if (i % 3 === 0) {
          const trades = newTrades(5);
          ingested.set(
            `${i}`,
            trades.map((t) => t.id),
          );
          return { url: replica.url, method: 'POST', path: '/api/v1/trades', token, body: trades };
        }
        // Varying pages defeat the cache, so reads reach Postgres.
        return i % 3 === 1
          ? { url: replica.url, path: `/api/v1/trades?limit=${1 + (i % 97)}&offset=${i % 7}`, token }
          : {
              url: replica.url,
              path: `/api/v1/performance?period=${['1h', '4h', '1d', '7d', '30d', 'all'][i % 6]}`,
              token,
            };
      },
    });
    done = true;
    await terminator;
    const elapsedMs = Math.round(performance.now() - started);

    const ingestIndex = new Map<string, string[]>();
    outcomes.forEach((o) => {
      const index = /-(\d+)$/.exec(o.requestId)?.[1];
      if (o.method === 'POST' && o.status === 201 && index) ingestIndex.set(o.requestId, ingested.get(index) ?? []);
    });
    const acceptedIds = [...ingestIndex.values()].flat();
    const stored = await withClient(async (client) => {
      const result = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".trade_events WHERE id = ANY($1::uuid[])`,
        [acceptedIds],
      );
      return result.rows[0]?.n ?? 0;
    });
    const answeredIds = outcomes.filter((o) => o.status !== undefined).map((o) => o.requestId);
    const audited = await waitForAudit(schema, answeredIds, 20000);
    const retries = replicas
      .map(
        (r) =>
          r.server
            .output()
            .split('\n')
            .filter((line) => line.includes('connection lost') && line.includes(' retry 1 of ')).length,
      )
      .reduce((x, y) => x + y, 0);
    const summary = summarise(outcomes);
    // What the replicas logged about any request that failed: the first thing to read.
    const failedIds = outcomes.filter((o) => o.status === undefined || o.status >= 500).map((o) => o.requestId);
    const failureLog = replicas
      .flatMap((r) => r.server.output().split('\n'))
      .filter((line) => failedIds.some((id) => line.includes(id)));
    if (failureLog.length > 0) console.log(failureLog.slice(0, 40).join('\n'));
    report('Postgres backends terminated', {
      elapsed_ms: elapsedMs,
      terminate_rounds: rounds,
      backends_terminated: terminated,
      retries_logged: retries,
      ...summary,
      ingest_201: ingestIndex.size,
      trades_accepted: acceptedIds.length,
      trades_stored: stored,
      audit_expected: answeredIds.length,
      audit_found: audited.size,
    });

    expect(deaths(replicas)).toEqual([]);
    expect(terminated).toBeGreaterThan(0);
    // The scenario cut work off mid-way (not only idle connections), and the retry answered it.
    expect(retries).toBeGreaterThan(0);
    expect(
      outcomes.filter((o) => o.status === undefined || o.status >= 500).map((o) => `${o.status} ${o.body ?? o.error}`),
    ).toEqual([]);
    expect(stored).toBe(acceptedIds.length);
    expect(answeredIds.filter((id) => !audited.has(id))).toEqual([]);
  }, 90000);
});
