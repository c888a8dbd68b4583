import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { AUTH_ENV, ADMIN_PASSWORD, ADMIN_USERNAME, login } from './auth-helpers';
import { as, engineTokens, type EngineTokens, trade, TRANSPARENCY_ENV } from './transparency-fixtures';
import { createTestApp, describeWithRedis, type TestApp } from './utils/harness';

type Http = ReturnType<typeof request>;

/** The value of one unlabelled sample in a Prometheus text exposition. */
function gauge(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

describe('The response-cache interceptor over HTTP (in-memory store)', () => {
  let t: TestApp;
  let http: Http;
  let tokens: EngineTokens;
  const lookups: { route: string; result: string }[] = [];

  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: { ...TRANSPARENCY_ENV, ...AUTH_ENV } });
    http = request(t.app.getHttpServer());
    tokens = await engineTokens(t.app);
    t.app.get(EventEmitter2).on('cache.lookup', (event: { route: string; result: string }) => lookups.push(event));
    await as(tokens.writer)(http.post('/api/v1/trades'))
      .send([trade(), trade({ symbol: 'ETH-USD' })])
      .expect(201);
  });
  afterAll(async () => t?.close());

  const read = (path: string) => as(tokens.reader)(http.get(path));

  it('sends a hit as the stored JSON text: the same bytes as the miss, typed application/json; charset=utf-8', async () => {
    const miss = await read('/api/v1/trades?limit=3').expect(200);
    const hit = await read('/api/v1/trades?limit=3').expect(200);
    expect([miss.headers['x-cache'], hit.headers['x-cache']]).toEqual(['MISS', 'HIT']);
    expect(hit.text).toBe(miss.text);
    expect(hit.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(miss.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(hit.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(hit.body.trades).toHaveLength(2);
  });

  it('answers a matching If-None-Match with 304, no body and the ETag; a stale one gets the new answer', async () => {
    const first = await read('/api/v1/trades?limit=4').expect(200);
    const etag = first.headers.etag;
    const notModified = await read('/api/v1/trades?limit=4').set('If-None-Match', `"other", W/${etag}`).expect(304);
    expect(notModified.text ?? '').toBe('');
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.headers['x-cache']).toBe('HIT');
    await as(tokens.writer)(http.post('/api/v1/trades'))
      .send([trade({ symbol: 'SOL-USD' })])
      .expect(201);
    const changed = await read('/api/v1/trades?limit=4').set('If-None-Match', etag).expect(200);
    expect(changed.headers['x-cache']).toBe('MISS');
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body.total_count).toBe(first.body.total_count + 1);
  });

  it('never caches a refused query: each one is refused again, and none is looked up', async () => {
    lookups.length = 0;
    for (let i = 0; i < 2; i++) {
      const refused = await read('/api/v1/trades?limit=0').expect(422);
      expect(refused.headers['x-cache']).toBeUndefined();
      // Express's own weak ETag of the problem body, if any; never a cache entry's strong one.
      expect(refused.headers.etag ?? 'W/').toMatch(/^W\//);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      await read('/api/v1/trades/not-a-uuid').expect(400);
      await read('/api/v1/ai/models?period=1y').expect(422);
    }
    expect(lookups.filter((l) => l.route === 'trades.list' || l.route === 'ai.models')).toEqual([]);
  });

  it('validates every new query before the cache looks, even one that differs from a cached query by one parameter', async () => {
    await read('/api/v1/trades?limit=5').expect(200);
    expect((await read('/api/v1/trades?limit=5').expect(200)).headers['x-cache']).toBe('HIT');
    const unknown = await read('/api/v1/trades?limit=5&bogus=1').expect(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'bogus' })]);
    await read('/api/v1/trades?limit=5&offset=-1').expect(422);
    // A route without a query DTO: unknown parameters are still 422 after a hit.
    await read('/api/v1/portfolio').expect(200);
    expect((await read('/api/v1/portfolio').expect(200)).headers['x-cache']).toBe('HIT');
    const strict = await read('/api/v1/portfolio?limit=1').expect(422);
    expect(strict.body.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
    // And the cached answer is still there for the valid query.
    expect((await read('/api/v1/trades?limit=5').expect(200)).headers['x-cache']).toBe('HIT');
  });

  it('marks every authenticated answer no-store: cached, uncached, refused, and problems', async () => {
    const miss = await read('/api/v1/ai/decisions?limit=2').expect(200);
    const hit = await read('/api/v1/ai/decisions?limit=2').expect(200);
    const stats = await read('/api/v1/stats').expect(200);
    const refused = await read('/api/v1/trades?limit=9999').expect(422);
    const forbidden = await as(tokens.reader)(http.post('/api/v1/trades')).send([trade()]).expect(403);
    for (const res of [miss, hit, stats, refused, forbidden]) expect(res.headers['cache-control']).toBe('no-store');
  });

  it('marks problems no-store even for anonymous callers refused before any route runs', async () => {
    const unauthorized = await http.get('/api/v1/trades').expect(401);
    const missing = await http.get('/api/v1/nowhere').expect(404);
    for (const res of [unauthorized, missing]) expect(res.headers['cache-control']).toBe('no-store');
  });

  it('marks the token endpoints` answers no-store: a successful login and refresh carry tokens', async () => {
    const loginRes = await http
      .post('/api/v1/auth/login')
      .send({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD })
      .expect(200);
    expect(loginRes.headers['cache-control']).toBe('no-store');
    const { refresh_token: refreshToken } = await login(t.app.getHttpServer(), ADMIN_USERNAME, ADMIN_PASSWORD);
    const refreshed = await http.post('/api/v1/auth/refresh').send({ refresh_token: refreshToken }).expect(200);
    expect(refreshed.headers['cache-control']).toBe('no-store');
  });

  it('reports the entries it holds in process as cache_entries', async () => {
    const before = gauge((await http.get('/metrics').expect(200)).text, 'cache_entries');
    expect(before).toBeGreaterThan(0);
    await read('/api/v1/performance?period=7d').expect(200);
    await read('/api/v1/performance/equity-curve?period=30d').expect(200);
    await read('/api/v1/performance?period=7d').expect(200);
    const after = gauge((await http.get('/metrics').expect(200)).text, 'cache_entries');
    expect(after).toBe(before + 2);
  });
});

describe('Cache-Control with TRANSPARENCY_PUBLIC_READ=true', () => {
  let t: TestApp;
  let http: Http;
  let tokens: EngineTokens;
  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: { ...TRANSPARENCY_ENV, TRANSPARENCY_PUBLIC_READ: 'true' } });
    http = request(t.app.getHttpServer());
    tokens = await engineTokens(t.app);
  });
  afterAll(async () => t?.close());

  it('does not mark public reads no-store, with or without a token: everyone gets the same answer', async () => {
    const anonymous = await http.get('/api/v1/portfolio').expect(200);
    const withToken = await as(tokens.reader)(http.get('/api/v1/portfolio')).expect(200);
    const stats = await http.get('/api/v1/stats').expect(200);
    for (const res of [anonymous, withToken, stats]) expect(res.headers['cache-control']).toBeUndefined();
    expect(withToken.headers['x-cache']).toBe('HIT');
    expect(withToken.text).toBe(anonymous.text);
  });

  it('still marks authenticated writes no-store', async () => {
    const res = await as(tokens.writer)(http.post('/api/v1/trades')).send([trade()]).expect(201);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describeWithRedis('cache_entries with the Redis store', () => {
  it('counts the in-process (L1) copies kept in front of Redis', async () => {
    const t = await createTestApp({ env: TRANSPARENCY_ENV });
    try {
      const http = request(t.app.getHttpServer());
      const tokens = await engineTokens(t.app);
      await as(tokens.reader)(http.get('/api/v1/backtests')).expect(200);
      expect((await as(tokens.reader)(http.get('/api/v1/backtests')).expect(200)).headers['x-cache']).toBe('HIT');
      expect(gauge((await http.get('/metrics').expect(200)).text, 'cache_entries')).toBe(1);
      await as(tokens.reader)(http.get('/api/v1/backtests?limit=3')).expect(200);
      expect(gauge((await http.get('/metrics').expect(200)).text, 'cache_entries')).toBe(2);
    } finally {
      await t.close();
    }
  });
});
