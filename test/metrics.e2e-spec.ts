import { Controller, Get, Param } from '@nestjs/common';
import request from 'supertest';
import { TokensService } from '@app/auth';
import { AppEventBus, Public, type Scope, SecurityEvents } from '@app/common';
import { createTestApp, type TestApp } from './utils/harness';
import { SPEC_METRICS } from './utils/spec-metrics';

@Public()
@Controller('metrics-probe')
class MetricsProbeController {
  @Get('items/:id')
  item(@Param('id') id: string): { id: string } {
    return { id };
  }
}

const PROCESS_DEFAULTS = [
  'process_cpu_user_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
];

/** Sum of the samples of `name` whose labels include every given pair. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) {
      sum += Number(match[3]);
      found = true;
    }
  }
  return found ? sum : NaN;
}

async function bearer(t: TestApp, scopes: Scope[]): Promise<string> {
  const token = await t.app
    .get(TokensService)
    .issueServiceToken({ subject: `metrics-test-${scopes.join('+')}`, scopes, ttlSeconds: 600 });
  return `Bearer ${token.accessToken}`;
}

describe('Prometheus metrics', () => {
  describe('public /metrics', () => {
    let t: TestApp;
    let http: ReturnType<typeof request>;
    const scrape = async (): Promise<string> => (await http.get('/metrics').expect(200)).text;

    beforeAll(async () => {
      t = await createTestApp({
        redis: false,
        env: { RATE_LIMIT_ENABLED: 'false' },
        extraControllers: [MetricsProbeController],
      });
      http = request(t.app.getHttpServer());
    });
    afterAll(async () => t?.close());

    it('exposes every core metric and the process defaults in the Prometheus text format', async () => {
      await http.get('/api/v1/metrics-probe/items/1').expect(200);
      await http.get('/api/v1/nowhere').expect(404);
      const res = await http.get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      for (const name of [...SPEC_METRICS, ...PROCESS_DEFAULTS]) {
        expect(res.text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
      }
      expect(sample(res.text, 'api_info', { environment: 'test' })).toBe(1);
      expect(res.text).toMatch(/^api_info\{version="\d+\.\d+\.\d+[^"]*",environment="test"\} 1$/m);
    });

    it('labels requests by route template and collapses unmatched routes, never raw paths or IPs', async () => {
      const before = await scrape();
      const route = '/api/v1/metrics-probe/items/:id';
      const labels = { method: 'GET', route, status_code: '200' };
      const base = sample(before, 'api_requests_total', labels) || 0;
      const unmatchedBase = sample(before, 'api_requests_total', { route: '<unmatched>', status_code: '404' }) || 0;
      for (let i = 0; i < 5; i++) await http.get(`/api/v1/metrics-probe/items/raw-id-${i}`).expect(200);
      for (let i = 0; i < 3; i++) await http.get(`/api/v1/scan-${i}/wp-admin.php`).expect(404);
      const text = await scrape();
      expect(sample(text, 'api_requests_total', labels)).toBe(base + 5);
      expect(sample(text, 'api_requests_total', { route: '<unmatched>', status_code: '404' })).toBe(unmatchedBase + 3);
      expect(sample(text, 'api_request_duration_seconds_count', labels)).toBe(base + 5);
      expect(text).not.toContain('raw-id-');
      expect(text).not.toContain('wp-admin');
      expect(text).not.toMatch(/127\.0\.0\.1|::1|::ffff:/);
      // Scrapes and probes are not API traffic.
      await http.get('/health/live').expect(200);
      expect(await scrape()).not.toMatch(/route="\/(metrics|health[^"]*)"/);
    });

    it('uses latency buckets fine enough for a sub-10 ms API', async () => {
      const text = await scrape();
      for (const le of ['0.0005', '0.001', '0.0025', '0.005', '0.01']) {
        expect(text).toContain(`api_request_duration_seconds_bucket{le="${le}"`);
      }
    });

    it('times database queries and reports the pool', async () => {
      const auth = await bearer(t, ['audit:read']);
      const before = sample(await scrape(), 'db_query_duration_seconds_count', { operation: 'select' }) || 0;
      await http.get('/api/v1/audit?limit=1').set('Authorization', auth).expect(200);
      const text = await scrape();
      expect(sample(text, 'db_query_duration_seconds_count', { operation: 'select', success: 'true' })).toBeGreaterThan(
        before,
      );
      expect(text).not.toMatch(/db_query_duration_seconds_bucket\{[^}]*SELECT/);
      expect(sample(text, 'db_connections_idle')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'db_connections_active')).toBeGreaterThanOrEqual(0);
    });

    it('counts auth results, token validations, cache hits and misses and rate-limit rejections from the event bus', async () => {
      const bus = t.app.get(AppEventBus);
      const before = await scrape();
      const value = (text: string, name: string, labels: Record<string, string>): number =>
        sample(text, name, labels) || 0;

      bus.emit('auth.token.validated', { result: 'expired' });
      bus.emit('auth.token.validated', { result: 'expired' });
      bus.emit('cache.lookup', { route: 'trades.list', result: 'hit' });
      bus.emit('cache.lookup', { route: 'trades.list', result: 'miss' });
      bus.emit('cache.lookup', { route: 'trades.list', result: 'hit' });
      bus.emit('rate_limit.exceeded', { limit: 'minute' });
      bus.emit('rate_limit.exceeded', { limit: 'a label nobody should invent?' });
      const events = t.app.get(SecurityEvents);
      events.publish({ type: 'login.success', actor: 'a' });
      events.publish({ type: 'login.failure', actor: 'b' });
      events.publish({ type: 'login.failure', actor: 'b' });
      events.publish({ type: 'login.lockout', actor: 'b' });
      events.publish({ type: 'token.issued', actor: 'a' });

      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>): number =>
        value(after, name, labels) - value(before, name, labels);
      expect(delta('auth_token_validations_total', { result: 'expired' })).toBe(2);
      expect(delta('cache_hits_total', { route: 'trades.list' })).toBe(2);
      expect(delta('cache_misses_total', { route: 'trades.list' })).toBe(1);
      expect(delta('rate_limit_exceeded_total', { limit: 'minute' })).toBe(1);
      expect(delta('rate_limit_exceeded_total', { limit: 'other' })).toBe(1);
      expect(delta('auth_attempts_total', { result: 'success' })).toBe(1);
      expect(delta('auth_attempts_total', { result: 'failure' })).toBe(2);
      expect(delta('auth_attempts_total', { result: 'lockout' })).toBe(1);
      expect(after).not.toContain('nobody should invent');
    });

    it('counts audit records written, with a queue that drains and nothing dropped', async () => {
      const before = sample(await scrape(), 'audit_events_written_total');
      for (let i = 0; i < 4; i++) await http.get(`/api/v1/metrics-probe/items/${i}`).expect(200);
      const { AuditService } = await import('@app/audit');
      await t.app.get(AuditService).flush();
      const text = await scrape();
      expect(sample(text, 'audit_events_written_total')).toBeGreaterThanOrEqual(before + 4);
      expect(sample(text, 'audit_queue_depth')).toBe(0);
      expect(sample(text, 'audit_events_dropped_total')).toBe(0);
    });
  });

  describe('with METRICS_TOKEN set', () => {
    const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
    let t: TestApp;
    let http: ReturnType<typeof request>;

    beforeAll(async () => {
      t = await createTestApp({ redis: false, env: { METRICS_TOKEN, RATE_LIMIT_ENABLED: 'false' } });
      http = request(t.app.getHttpServer());
    });
    afterAll(async () => t?.close());

    it('refuses an anonymous scrape or a wrong token with a 401 problem', async () => {
      const res = await http.get('/metrics').expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.text).not.toContain('api_requests_total');
      await http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}x`).expect(401);
      await http.get('/metrics').set('Authorization', METRICS_TOKEN).expect(401);
    });

    it('accepts Bearer <METRICS_TOKEN> (Prometheus) and a JWT with metrics:read; a valid JWT without it is 403', async () => {
      const res = await http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      expect(res.text).toContain('# TYPE api_requests_total counter');
      await http
        .get('/metrics')
        .set('Authorization', await bearer(t, ['metrics:read']))
        .expect(200);
      const denied = await http
        .get('/metrics')
        .set('Authorization', await bearer(t, ['transparency:read']))
        .expect(403);
      expect(denied.headers['www-authenticate']).toContain('error="insufficient_scope"');
      expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});
