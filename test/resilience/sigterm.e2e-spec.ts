import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ENV_REDIS_URL } from '../setup/services';
import { baseDatabaseUrl, createSchema, dropSchema } from '../utils/database';
import { type LoadRequest, report, runLoad, summarise } from '../utils/load';
import { adminToken, auditedRequestIds, type Replica, startReplica, stopReplicas } from '../utils/replicas';

/**
 * SIGTERM under load, default settings (no drain delay): everything sent before the signal
 * is answered (keep-alive requests in transit, connections still in the accept queue), the
 * process exits 0, and every answered request's audit record is in Postgres.
 */
describe('Resilience: SIGTERM during load', () => {
  let schema: string;
  let replica: Replica | undefined;

  beforeAll(async () => {
    schema = await createSchema();
  });

  afterAll(async () => {
    if (replica) await stopReplicas([replica]);
    await dropSchema(schema);
  });

  it('loses nothing sent before the signal, exits 0 and audits every answered request', async () => {
    replica = await startReplica({
      name: 'a',
      schema,
      databaseUrl: baseDatabaseUrl(),
      redisUrl: process.env[ENV_REDIS_URL],
      jwtSecret: randomBytes(32).toString('hex'),
      auditKey: randomBytes(32).toString('hex'),
    });
    const server = replica.server;
    const token = await adminToken(replica);
    const paths = ['/api/v1/trades?limit=5', '/api/v1/portfolio', '/api/v1/performance?period=1d', '/api/v1/nope'];
    let exited = false;
    void server.exited.then(() => (exited = true));
    let signalAt = Infinity;
    let answered = 0;
    const { url } = replica;
    const outcomes = await runLoad({
      concurrency: 12,
      count: 20000,
      pauseOnErrorMs: 20,
      // Every third request opens its own connection: those are the ones the accept queue holds.
      next: (i): LoadRequest => ({ url, path: paths[i % paths.length] ?? '/', token, fresh: i % 3 === 0 }),
      onOutcome: (outcome) => {
        if (outcome.status === undefined || signalAt !== Infinity) return;
        if (++answered === 600) {
          signalAt = performance.now();
          server.child.kill('SIGTERM');
        }
      },
      stop: () => exited || performance.now() > signalAt + 8000,
    });
    const code = await server.exited;

    const before = outcomes.filter((o) => o.sentAt < signalAt);
    const after = outcomes.filter((o) => o.sentAt >= signalAt);
    const lostBefore = before.filter((o) => o.status === undefined);
    const answeredIds = outcomes.filter((o) => o.status !== undefined).map((o) => o.requestId);
    const audited = await auditedRequestIds(schema, answeredIds);
    const lastAnswerAfterSignalMs = Math.max(
      0,
      ...after.filter((o) => o.status !== undefined).map((o) => o.endedAt - signalAt),
    );
    report('SIGTERM during load', {
      exit_code: code,
      sent_before_signal: before.length,
      lost_before_signal: lostBefore.length,
      lost_within_20ms: lostBefore.filter((o) => signalAt - o.sentAt <= 20).length,
      sent_after_signal: after.length,
      answered_after_signal: after.filter((o) => o.status !== undefined).length,
      refused_after_signal: after.filter((o) => o.status === undefined).length,
      last_answer_after_signal_ms: Math.round(lastAnswerAfterSignalMs),
      ...summarise(outcomes),
      audit_expected: answeredIds.length,
      audit_found: audited.size,
    });

    expect(lostBefore.map((o) => `${o.requestId} ${o.error ?? ''}`)).toEqual([]);
    expect(outcomes.filter((o) => (o.status ?? 0) >= 500)).toEqual([]);
    expect(code).toBe(0);
    expect(answeredIds.filter((id) => !audited.has(id))).toEqual([]);
  }, 60000);
});
