import request from 'supertest';
import { AuditService } from '@app/audit';
import { TokensService } from '@app/auth';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV } from './auth-helpers';
import { as, decision, engineTokens, type EngineTokens, snapshot, trade } from './transparency-fixtures';
import { createTestApp, type TestApp } from './utils/harness';

/** Sum of the samples of `name` whose labels include every given pair (0 when there is none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}

/** The distinct values one label takes across the samples of `name`. */
function labelValues(text: string, name: string, label: string): Set<string> {
  const values = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return values;
}

/**
 * One test per core metric (docs/observability.md): a real producer (a request, a login, a 429, a cache hit,
 * an ingest, an audit write) moves it, and `/metrics` shows the name and label.
 */
describe('Each core metric, driven by its real producer', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let tokens: EngineTokens;
  const scrape = async (): Promise<string> => (await http.get('/metrics').expect(200)).text;
  /** Runs `act` and returns how much the sample moved. */
  const delta = async (name: string, labels: Record<string, string>, act: () => Promise<unknown>): Promise<number> => {
    const before = sample(await scrape(), name, labels);
    await act();
    return sample(await scrape(), name, labels) - before;
  };

  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: { ...AUTH_ENV, LOGIN_LOCKOUT_THRESHOLD: '3' } });
    http = request(t.app.getHttpServer());
    tokens = await engineTokens(t.app);
  });
  afterAll(async () => t?.close());

  it('api_requests_total and api_request_duration_seconds count a real request by route template', async () => {
    const labels = { method: 'GET', route: '/api/v1/trades', status_code: '200' };
    expect(
      await delta('api_requests_total', labels, () => as(tokens.reader)(http.get('/api/v1/trades')).expect(200)),
    ).toBe(1);
    expect(
      await delta('api_request_duration_seconds_count', labels, () =>
        as(tokens.reader)(http.get('/api/v1/trades')).expect(200),
      ),
    ).toBe(1);
  });

  it('db_query_duration_seconds times the queries of a real read; the pool gauges are exposed', async () => {
    const moved = await delta('db_query_duration_seconds_count', { operation: 'select', success: 'true' }, () =>
      as(tokens.reader)(http.get('/api/v1/trades?symbol=DBM-1')).expect(200),
    );
    expect(moved).toBeGreaterThan(0);
    const text = await scrape();
    expect(text).toMatch(/^db_connections_active \d+$/m);
    expect(text).toMatch(/^db_connections_idle \d+$/m);
  });

  it('cache_misses_total then cache_hits_total count a repeated cached read', async () => {
    const before = await scrape();
    await as(tokens.reader)(http.get('/api/v1/trades?limit=7')).expect(200);
    await as(tokens.reader)(http.get('/api/v1/trades?limit=7')).expect(200);
    const after = await scrape();
    const hits = sample(after, 'cache_hits_total') - sample(before, 'cache_hits_total');
    const misses = sample(after, 'cache_misses_total') - sample(before, 'cache_misses_total');
    expect(misses).toBeGreaterThanOrEqual(1);
    expect(hits).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^cache_hits_total\{route="[^"]+"\} \d+$/m);
  });

  it('auth_attempts_total counts real logins by result (success, failure, lockout)', async () => {
    const login = (username: string, password: string) => http.post('/api/v1/auth/login').send({ username, password });
    expect(
      await delta('auth_attempts_total', { result: 'success' }, () =>
        login(ADMIN_USERNAME, ADMIN_PASSWORD).expect(200),
      ),
    ).toBe(1);
    expect(
      await delta('auth_attempts_total', { result: 'failure' }, () =>
        login(ADMIN_USERNAME, 'wrong-password').expect(401),
      ),
    ).toBe(1);
    const lockouts = await delta('auth_attempts_total', { result: 'lockout' }, async () => {
      for (let i = 0; i < 4; i++) await login('lockout-victim', 'guess');
    });
    expect(lockouts).toBeGreaterThanOrEqual(1);
  });

  it('auth_token_validations_total counts bearer checks by result', async () => {
    expect(
      await delta('auth_token_validations_total', { result: 'valid' }, () =>
        as(tokens.reader)(http.get('/api/v1/trades')).expect(200),
      ),
    ).toBe(1);
    expect(
      await delta('auth_token_validations_total', { result: 'invalid' }, () =>
        http.get('/api/v1/trades').auth('not-a-jwt', { type: 'bearer' }).expect(401),
      ),
    ).toBe(1);
  });

  it('audit_events_written_total and audit_queue_depth follow a real audit write', async () => {
    const written = await delta('audit_events_written_total', {}, async () => {
      await http.get('/api/v1/metrics-audit-probe').expect(404);
      await t.app.get(AuditService).flush();
    });
    expect(written).toBeGreaterThanOrEqual(1);
    const text = await scrape();
    expect(text).toMatch(/^audit_queue_depth \d+$/m);
    expect(text).toMatch(/^audit_events_dropped_total \d+$/m);
  });

  it('portfolio_equity, portfolio_pnl and active_positions follow real writes', async () => {
    await as(tokens.writer)(http.post('/api/v1/performance/snapshots'))
      .send([snapshot({ total_equity: 123456.5, total_pnl: 2345.25, timestamp: new Date().toISOString() })])
      .expect(201);
    await as(tokens.writer)(http.put('/api/v1/portfolio/positions/MTR-USD'))
      .send({ side: 'long', size: 1, entry_price: 10, current_price: 11, opened_at: '2026-11-28T01:00:00Z' })
      .expect(200);
    const text = await scrape();
    expect(sample(text, 'portfolio_equity')).toBe(123456.5);
    expect(sample(text, 'portfolio_pnl')).toBe(2345.25);
    expect(sample(text, 'active_positions')).toBeGreaterThanOrEqual(1);
  });

  it('ai_predictions_total and ai_prediction_confidence count an ingested decision by model and outcome', async () => {
    const labels = { model_name: 'metrics-model', outcome: 'pending' };
    const before = await scrape();
    await as(tokens.writer)(http.post('/api/v1/ai/decisions'))
      .send([decision({ model_name: 'metrics-model' })])
      .expect(201);
    const after = await scrape();
    expect(sample(after, 'ai_predictions_total', labels) - sample(before, 'ai_predictions_total', labels)).toBe(1);
    expect(sample(after, 'ai_prediction_confidence_count') - sample(before, 'ai_prediction_confidence_count')).toBe(1);
  });

  it('caps the model_name label: 50 distinct models give at most 20 names plus "other"', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => decision({ model_name: `flood-model-${i}` }));
    await as(tokens.writer)(http.post('/api/v1/ai/decisions')).send(batch).expect(201);
    const text = await scrape();
    const names = labelValues(text, 'ai_predictions_total', 'model_name');
    expect(names.size).toBeLessThanOrEqual(21);
    expect(names.has('other')).toBe(true);
    const flood = [...names].filter((n) => n.startsWith('flood-model-'));
    // Every ingested prediction is still counted, the overflow under `other`.
    const counted = flood.reduce((sum, n) => sum + sample(text, 'ai_predictions_total', { model_name: n }), 0);
    expect(counted + sample(text, 'ai_predictions_total', { model_name: 'other' })).toBeGreaterThanOrEqual(50);
  });

  it('api_info names the running version and environment', async () => {
    expect(await scrape()).toMatch(/^api_info\{version="[^"]+",environment="test"\} 1$/m);
  });

  it('rate_limit_exceeded_total counts a real 429 by the limit that refused it', async () => {
    const limited = await createTestApp({ redis: false, env: { RATE_LIMIT_BURST: '2', RATE_LIMIT_PER_MINUTE: '100' } });
    try {
      const h = request(limited.app.getHttpServer());
      const count = async (): Promise<number> =>
        sample((await h.get('/metrics').expect(200)).text, 'rate_limit_exceeded_total', { limit: 'burst' });
      const before = await count();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await h.get('/api/v1/trades')).status);
      expect(statuses).toContain(429);
      expect((await count()) - before).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it('trade ingest is visible as traffic on its route template', async () => {
    const labels = { method: 'POST', route: '/api/v1/trades', status_code: '201' };
    expect(
      await delta('api_requests_total', labels, () =>
        as(tokens.writer)(http.post('/api/v1/trades')).send([trade()]).expect(201),
      ),
    ).toBe(1);
  });
});

describe('/metrics in production', () => {
  const PRODUCTION = { NODE_ENV: 'production', RATE_LIMIT_ENABLED: 'false' };

  it('is never anonymous without METRICS_TOKEN: a JWT with metrics:read is the only way in', async () => {
    const t = await createTestApp({ redis: false, env: PRODUCTION });
    try {
      const http = request(t.app.getHttpServer());
      const anonymous = await http.get('/metrics').expect(401);
      expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(anonymous.text).not.toContain('portfolio_equity');
      // With no METRICS_TOKEN configured, no bearer string is "the" token.
      await http.get('/metrics').set('Authorization', 'Bearer undefined').expect(401);
      await http.get('/metrics').set('Authorization', 'Bearer ').expect(401);
      const issue = async (scopes: ('metrics:read' | 'transparency:read')[]) =>
        (await t.app.get(TokensService).issueServiceToken({ subject: `prod-${scopes[0]}`, scopes, ttlSeconds: 600 }))
          .accessToken;
      await http
        .get('/metrics')
        .auth(await issue(['transparency:read']), { type: 'bearer' })
        .expect(403);
      const ok = await http
        .get('/metrics')
        .auth(await issue(['metrics:read']), { type: 'bearer' })
        .expect(200);
      expect(ok.text).toContain('api_info{');
    } finally {
      await t.close();
    }
  });

  it('takes the METRICS_TOKEN when one is configured', async () => {
    const METRICS_TOKEN = 'prod-scrape-token-0123456789';
    const t = await createTestApp({ redis: false, env: { ...PRODUCTION, METRICS_TOKEN } });
    try {
      const http = request(t.app.getHttpServer());
      await http.get('/metrics').expect(401);
      await http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    } finally {
      await t.close();
    }
  });
});
