import { performance } from 'node:perf_hooks';
import { ENV_REDIS_URL } from '../setup/services';
import { baseDatabaseUrl, createSchema, dropSchema } from '../utils/database';
import { type LoadRequest, type Outcome, report, runLoad, summarise } from '../utils/load';
import { adminToken, deaths, type Replica, sleep, startReplicas, stopReplicas, waitForAudit } from '../utils/replicas';
import { TcpProxy } from '../utils/tcp-proxy';

const OUTAGE_MS = 30_000;

interface Readiness {
  code: number;
  spilled: number;
  depth: number;
}

async function readiness(replica: Replica): Promise<Readiness> {
  const res = await fetch(`${replica.url}/health/ready`);
  const body = (await res.json()) as { checks?: { audit_queue?: { spilled?: number; depth?: number } } };
  return {
    code: res.status,
    spilled: body.checks?.audit_queue?.spilled ?? 0,
    depth: body.checks?.audit_queue?.depth ?? 0,
  };
}

/**
 * Postgres unreachable for 30 s (the replicas reach it through a proxy the test cuts; the
 * server itself keeps running for everyone else), then back. Requests keep being answered
 * (cached, or 503 with Retry-After, never 500); their audit records wait in memory, spill to
 * the file past a small queue bound, and all arrive once Postgres is back; the chain verifies.
 */
describe('Resilience: Postgres down for 30 s, then back', () => {
  let schema: string;
  let proxy: TcpProxy;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    schema = await createSchema();
    const target = new URL(baseDatabaseUrl());
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
  });

  afterAll(async () => {
    await stopReplicas(replicas);
    await proxy.stop();
    await dropSchema(schema);
  });

  it('answers 503 or cached data meanwhile, spills the audit, writes all of it afterwards and the chain verifies', async () => {
    const viaProxy = new URL(baseDatabaseUrl());
    viaProxy.port = String(proxy.port);
    replicas = await startReplicas(['a', 'b'], {
      schema,
      databaseUrl: viaProxy.toString(),
      redisUrl: process.env[ENV_REDIS_URL],
      // A small memory bound, so the outage's records take the spill file's path.
      env: { AUDIT_QUEUE_MAX: '40', AUDIT_BATCH_SIZE: '20' },
    });
    const [a, b] = replicas as [Replica, Replica];
    const admin = await adminToken(a);
    const paths = ['/api/v1/portfolio', '/api/v1/trades?limit=5', `/api/v1/trades?limit=7&offset=`];
    let phase: 'before' | 'outage' | 'recovering' | 'after' | 'over' = 'before';
    const phases: Record<'before' | 'outage' | 'recovering' | 'after', Outcome[]> = {
      before: [],
      outage: [],
      recovering: [],
      after: [],
    };
    const load = runLoad({
      concurrency: 4,
      count: 100000,
      pauseMs: 40,
      next: (i): LoadRequest => ({
        url: (i % 2 ? a : b).url,
        // The third kind is never cached (a fresh offset each time): it needs Postgres.
        path: i % 3 === 2 ? `${paths[2]}${i}` : (paths[i % 3] ?? '/'),
        token: admin,
      }),
      onOutcome: (o) => {
        if (phase !== 'over') phases[phase].push(o);
      },
      stop: () => phase === 'over',
    });

    await sleep(1000);
    await proxy.stop();
    phase = 'outage';
    const cutAt = performance.now();
    let readyDuringOutage: Readiness[] = [];
    let maxSpilled = 0;
    while (performance.now() - cutAt < OUTAGE_MS) {
      await sleep(2000);
      readyDuringOutage = await Promise.all([readiness(a), readiness(b)]);
      maxSpilled = Math.max(maxSpilled, ...readyDuringOutage.map((r) => r.spilled));
    }
    await proxy.start(proxy.port);
    // Until readiness says so, a replica may still answer 503: that is what readiness is for.
    phase = 'recovering';
    const backAt = performance.now();
    let readyAgainMs = -1;
    while (performance.now() - backAt < 20000) {
      if ((await Promise.all([readiness(a), readiness(b)])).every((r) => r.code === 200)) {
        readyAgainMs = Math.round(performance.now() - backAt);
        phase = 'after';
        break;
      }
      await sleep(100);
    }
    await sleep(2000);
    phase = 'over';
    await load;

    const all = [...phases.before, ...phases.outage, ...phases.recovering, ...phases.after];
    const answeredIds = all.filter((o) => o.status !== undefined).map((o) => o.requestId);
    const audited = await waitForAudit(schema, answeredIds, 30000);
    const queues = await Promise.all([readiness(a), readiness(b)]);
    const verify = await fetch(`${a.url}/api/v1/audit/verify`, { headers: { Authorization: `Bearer ${admin}` } });
    const verdict = (await verify.json()) as { valid: boolean; checked: number; first_broken_id: string | null };
    const retryAfter = phases.outage.filter((o) => o.status === 503 && o.headers?.['retry-after']).length;
    report('Postgres down 30 s', {
      outage_ms: Math.round(backAt - cutAt),
      before: summarise(phases.before),
      during_outage: { ...summarise(phases.outage), with_retry_after: retryAfter },
      recovering: summarise(phases.recovering),
      after_ready: summarise(phases.after),
      readiness_during_outage: readyDuringOutage.map((r) => r.code),
      audit_spilled_max: maxSpilled,
      ready_again_after_ms: readyAgainMs,
      audit_expected: answeredIds.length,
      audit_found: audited.size,
      audit_queue_depth_after: queues.map((q) => q.depth),
      verify: verdict,
    });

    expect(deaths(replicas)).toEqual([]);
    expect(all.filter((o) => o.status === undefined || o.status === 500)).toEqual([]);
    const failed = [...phases.outage, ...phases.recovering].filter((o) => o.status !== 200);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((o) => o.status === 503 && o.headers?.['retry-after'] !== undefined)).toBe(true);
    expect(phases.outage.some((o) => o.status === 200)).toBe(true);
    expect(readyDuringOutage.map((r) => r.code)).toEqual([503, 503]);
    expect(maxSpilled).toBeGreaterThan(0);
    expect(readyAgainMs).toBeGreaterThanOrEqual(0);
    expect(phases.after.length).toBeGreaterThan(0);
    expect(phases.after.filter((o) => o.status !== 200)).toEqual([]);
    expect(answeredIds.filter((id) => !audited.has(id))).toEqual([]);
    expect(queues.map((q) => q.depth)).toEqual([0, 0]);
    expect(verify.status).toBe(200);
    expect(verdict).toMatchObject({ valid: true, first_broken_id: null });
    expect(verdict.checked).toBeGreaterThanOrEqual(answeredIds.length);
  }, 120000);
});
