import { performance } from 'node:perf_hooks';
import { baseDatabaseUrl, createSchema, dropSchema } from '../utils/database';
import { type LoadRequest, type Outcome, report, runLoad, summarise } from '../utils/load';
import { PrivateRedis } from '../utils/redis-server';
import {
  adminToken,
  deaths,
  newTrades,
  type Replica,
  serviceToken,
  sleep,
  startReplicas,
  stopReplicas,
  waitForAudit,
} from '../utils/replicas';

const skipReason = PrivateRedis.unavailableReason();
if (skipReason) console.warn(`[resilience] Redis scenarios skipped: ${skipReason}`);
const describeWithRedisServer = skipReason ? describe.skip : describe;

async function readiness(replica: Replica): Promise<{ code: number; status?: string }> {
  const res = await fetch(`${replica.url}/health/ready`);
  const body = (await res.json()) as { status?: string };
  return { code: res.status, status: body.status };
}

/** Polls until `check` holds; answers the milliseconds it took (or throws past `timeoutMs`). */
async function within(timeoutMs: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Math.round(performance.now() - started);
}

/**
 * Two replicas on a private redis-server (the shared one is never stopped), which the test
 * kills with SIGKILL and restarts on the same port.
 */
describeWithRedisServer('Resilience: Redis killed and restarted under two replicas', () => {
  let schema: string;
  let redis: PrivateRedis;
  let replicas: Replica[] = [];
  let a: Replica;
  let b: Replica;
  let admin: string;

  beforeAll(async () => {
    schema = await createSchema();
    redis = await PrivateRedis.start();
    replicas = await startReplicas(['a', 'b'], { schema, databaseUrl: baseDatabaseUrl(), redisUrl: redis.url });
    [a, b] = replicas as [Replica, Replica];
    admin = await adminToken(a);
  }, 60000);

  afterAll(async () => {
    await stopReplicas(replicas);
    await redis?.kill();
    await dropSchema(schema);
  });

  it('keeps answering reads uncached with readiness 200 degraded; after the restart, revocation reaches the other replica within 1 s and cache hits resume', async () => {
    const { token } = await serviceToken(a, admin, 'dashboard', ['transparency:read']);
    const paths = ['/api/v1/trades?limit=10', '/api/v1/portfolio', '/api/v1/performance?period=7d'];
    let phase: 'before' | 'outage' | 'over' = 'before';
    const phases: Record<'before' | 'outage', Outcome[]> = { before: [], outage: [] };
    const load = runLoad({
      concurrency: 6,
      count: 20000,
      pauseMs: 5,
      next: (i): LoadRequest => ({ url: (i % 2 ? a : b).url, path: paths[i % paths.length] ?? '/', token }),
      onOutcome: (o) => {
        if (phase !== 'over') phases[phase].push(o);
      },
      stop: () => phase === 'over',
    });
    await sleep(1500);
    await redis.kill();
    const killedAt = performance.now();
    phase = 'outage';
    // The replicas notice at their next Redis call; readiness must then say degraded, not fail.
    const degradedMs = await within(
      5000,
      async () =>
        (await Promise.all([readiness(a), readiness(b)])).every((r) => r.code === 200 && r.status === 'degraded'),
      'readiness degraded on both replicas',
    );
    await sleep(3000);
    phase = 'over';
    await load;
    const readyDuringOutage = await Promise.all([readiness(a), readiness(b)]);

    await redis.restart();
    const reconnectMs = await within(
      15000,
      async () => (await Promise.all([readiness(a), readiness(b)])).every((r) => r.code === 200 && r.status === 'ok'),
      'readiness ok again on both replicas',
    );

    // A token revoked on A is refused by B within a second (pub/sub, or B's poll of Postgres).
    const victim = await serviceToken(a, admin, 'leaked-client', ['transparency:read']);
    const asVictim = (replica: Replica): Promise<Response> =>
      fetch(`${replica.url}/api/v1/portfolio`, { headers: { Authorization: `Bearer ${victim.token}` } });
    expect((await asVictim(b)).status).toBe(200);
    const revoke = await fetch(`${a.url}/api/v1/admin/tokens/${victim.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${admin}` },
    });
    expect(revoke.status).toBe(204);
    const revokedMs = await within(1000, async () => (await asVictim(b)).status === 401, 'revocation on B');

    // Hits resume, and the entries are in the restarted Redis again (not only in process).
    const fresh = `/api/v1/trades?limit=3&symbol=RESUME-${Date.now()}`;
    const read = async (replica: Replica): Promise<string | null> =>
      (await fetch(`${replica.url}${fresh}`, { headers: { Authorization: `Bearer ${token}` } })).headers.get('x-cache');
    const firstOnA = await read(a);
    const hitOnBMs = await within(2000, async () => (await read(b)) === 'HIT', 'cache hit on B after the restart');
    const redisKeys = await redis.keyCount();

    const answeredIds = [...phases.before, ...phases.outage]
      .filter((o) => o.status !== undefined)
      .map((o) => o.requestId);
    const audited = await waitForAudit(schema, answeredIds, 15000);
    const hits = (outcomes: Outcome[]): number => outcomes.filter((o) => o.headers?.['x-cache'] === 'HIT').length;
    report('Redis killed and restarted', {
      before_kill: { ...summarise(phases.before), cache_hits: hits(phases.before) },
      during_outage: { ...summarise(phases.outage), cache_hits: hits(phases.outage) },
      readiness_degraded_after_ms: degradedMs,
      readiness_during_outage: readyDuringOutage,
      outage_ms: Math.round(performance.now() - killedAt),
      ready_ok_after_restart_ms: reconnectMs,
      revocation_seen_by_b_ms: revokedMs,
      first_read_on_a_after_restart: firstOnA,
      hit_on_b_after_ms: hitOnBMs,
      redis_keys_after_restart: redisKeys,
      audit_expected: answeredIds.length,
      audit_found: audited.size,
    });

    expect(deaths(replicas)).toEqual([]);
    expect(hits(phases.before)).toBeGreaterThan(0);
    for (const outcomes of [phases.before, phases.outage]) {
      expect(outcomes.filter((o) => o.status !== 200).map((o) => `${o.status} ${o.body ?? o.error}`)).toEqual([]);
    }
    expect(phases.outage.length).toBeGreaterThan(50);
    expect(redisKeys).toBeGreaterThan(0);
    expect(answeredIds.filter((id) => !audited.has(id))).toEqual([]);
    expect(readyDuringOutage.every((r) => r.code === 200 && r.status === 'degraded')).toBe(true);
  }, 90000);

  it('shows a write on A in B’s cached reads within 1 s', async () => {
    const { token } = await serviceToken(a, admin, 'engine', ['transparency:read', 'transparency:write']);
    const path = '/api/v1/trades?limit=50';
    const readOnB = async (): Promise<{ ids: string[]; cache: string | null }> => {
      const res = await fetch(`${b.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { trades: { id: string }[] };
      return { ids: body.trades.map((t) => t.id), cache: res.headers.get('x-cache') };
    };
    await readOnB();
    const cachedBefore = await within(2000, async () => (await readOnB()).cache === 'HIT', 'B caches the page');
    const [trade] = newTrades(1);
    const write = await fetch(`${a.url}/api/v1/trades`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([trade]),
    });
    expect(write.status).toBe(201);
    const visibleMs = await within(
      1000,
      async () => (await readOnB()).ids.includes(trade?.id ?? ''),
      'write visible on B',
    );
    const cachedAgainMs = await within(2000, async () => (await readOnB()).cache === 'HIT', 'B caches the new page');
    report('Cross-replica write', {
      b_cached_before_ms: cachedBefore,
      write_visible_on_b_ms: visibleMs,
      b_hit_again_after_ms: cachedAgainMs,
    });
  }, 30000);
});
