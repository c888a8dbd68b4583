import request from 'supertest';
import { AuditService } from '@app/audit';
import { TokensService } from '@app/auth';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV } from './auth-helpers';
import { as, decision, engineTokens, snapshot } from './transparency-fixtures';
import { createTestApp, type TestApp } from './utils/harness';
import { labelNamesIn, metricNamesIn, monitoringExpressions } from './utils/promql';

/**
 * Names the dashboards or alerts may use although a scrape does not show them, each with the
 * reason. A listed name that does show up fails the test, so the list only shrinks.
 */
const NOT_IN_A_SCRAPE: Record<string, string> = {
  up: 'written by Prometheus for every scrape target, never exposed by the target itself',
};

const METRICS_TOKEN = 'dashboards-scrape-token-0123456789';

/** Labels Prometheus attaches to every scraped series (target labels), and `le` of histograms. */
const SCRAPE_LABELS = ['instance', 'job', 'le'];

/** Label names seen on each series name's samples. */
function labelsByName(exposition: string): Map<string, Set<string>> {
  const byName = new Map<string, Set<string>>();
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+\S+/.exec(line);
    if (!match) continue;
    const labels = byName.get(match[1]) ?? new Set<string>();
    for (const [, label] of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) labels.add(label);
    byName.set(match[1], labels);
  }
  return byName;
}

/** Series names with at least one sample in a Prometheus text exposition. */
function sampledNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+\S+/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}

describe('Dashboards and alerts vs a live /metrics scrape', () => {
  let t: TestApp;
  let exposition: string;

  beforeAll(async () => {
    t = await createTestApp({
      redis: false,
      env: {
        ...AUTH_ENV,
        METRICS_TOKEN,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_PER_MINUTE: '8',
      },
    });
    const http = request(t.app.getHttpServer());
    const { reader, writer } = await engineTokens(t.app);

    // What a day of traffic exercises: logins, ingest, cached reads, refusals, a throttled client.
    await http.post('/api/v1/auth/login').send({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD }).expect(200);
    await http.post('/api/v1/auth/login').send({ username: ADMIN_USERNAME, password: 'wrong password!' }).expect(401);
    await as(writer)(http.post('/api/v1/performance/snapshots').send([snapshot()])).expect(201);
    await as(writer)(http.post('/api/v1/ai/decisions').send([decision()])).expect(201);
    await as(reader)(http.get('/api/v1/trades')).expect(200);
    await as(reader)(http.get('/api/v1/trades')).expect(200);
    await as(reader)(http.get('/api/v1/portfolio')).expect(200);
    await http.get('/api/v1/trades').set('Authorization', 'Bearer not-a-token').expect(401);
    let throttled = 0;
    const { accessToken: eager } = await t.app
      .get(TokensService)
      .issueServiceToken({ subject: 'dashboards-eager-client', scopes: ['transparency:read'], ttlSeconds: 600 });
    for (let i = 0; i < 20 && throttled === 0; i++) {
      if ((await as(eager)(http.get('/api/v1/portfolio'))).status === 429) throttled++;
    }
    expect(throttled).toBe(1);
    await t.app.get(AuditService).flush();

    exposition = (await http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
  }, 60_000);

  afterAll(async () => t?.close());

  it('finds every metric name of every dashboard panel and alert rule in the scrape', () => {
    const sampled = sampledNames(exposition);
    const missing = monitoringExpressions().flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !sampled.has(name) && !(name in NOT_IN_A_SCRAPE))
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('filters and groups only on labels that those metrics carry', () => {
    const labels = labelsByName(exposition);
    const unknown = monitoringExpressions().flatMap(({ where, expr }) => {
      const names = metricNamesIn(expr).filter((name) => !(name in NOT_IN_A_SCRAPE));
      if (names.length === 0) return [];
      const carried = new Set([...SCRAPE_LABELS, ...names.flatMap((name) => [...(labels.get(name) ?? [])])]);
      return labelNamesIn(expr)
        .filter((label) => !carried.has(label))
        .map((label) => `${where}: ${label}`);
    });
    expect(unknown).toEqual([]);
  });

  it('lists as missing only names that really are missing', () => {
    const sampled = sampledNames(exposition);
    expect(Object.keys(NOT_IN_A_SCRAPE).filter((name) => sampled.has(name))).toEqual([]);
    const used = new Set(monitoringExpressions().flatMap(({ expr }) => metricNamesIn(expr)));
    expect(Object.keys(NOT_IN_A_SCRAPE).filter((name) => !used.has(name))).toEqual([]);
  });

  it('charts the business, security and cache metrics with real samples, not only their declarations', () => {
    const sampled = sampledNames(exposition);
    for (const name of [
      'portfolio_equity',
      'ai_predictions_total',
      'ai_prediction_confidence_bucket',
      'auth_attempts_total',
      'auth_token_validations_total',
      'rate_limit_exceeded_total',
      'cache_hits_total',
      'cache_misses_total',
      'audit_events_written_total',
      'db_query_duration_seconds_bucket',
    ]) {
      expect(sampled).toContain(name);
    }
    expect(exposition).toMatch(/^portfolio_equity 100000$/m);
  });
});
