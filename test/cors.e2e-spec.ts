import request from 'supertest';
import { EdgeProbeController } from './edge-probe';
import { createTestApp, type TestApp } from './utils/harness';

const OK = '/api/v1/edge-probe/ok';
const ALLOWED = 'https://dashboard.example.com';
const FOREIGN = 'https://evil.example.net';

describe('CORS allow-list', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    t = await createTestApp({
      redis: false,
      env: { CORS_ORIGINS: `http://localhost:3000,${ALLOWED}`, RATE_LIMIT_BURST: '100', RATE_LIMIT_PER_MINUTE: '50' },
      extraControllers: [EdgeProbeController],
    });
    http = request(t.app.getHttpServer());
  });
  afterAll(async () => t?.close());

  it('echoes an allowed origin with Vary: Origin and exposes the rate-limit and request-id headers', async () => {
    const res = await http.get(OK).set('Origin', ALLOWED).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['vary']).toMatch(/Origin/);
    const exposed = res.headers['access-control-expose-headers'].split(',').map((h) => h.trim());
    expect(exposed).toEqual(
      expect.arrayContaining([
        'X-Request-Id',
        'Retry-After',
        'RateLimit',
        'RateLimit-Policy',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'WWW-Authenticate',
      ]),
    );
  });

  it('lets browser code read the Bearer challenge of a 401 (why the token was refused)', async () => {
    const res = await http
      .get('/api/v1/edge-probe/private')
      .set('Origin', ALLOWED)
      .auth('expired.or.bad', { type: 'bearer' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-expose-headers']).toMatch(/(^|,)\s*WWW-Authenticate\s*(,|$)/i);
  });

  it('gives a foreign origin no Access-Control-Allow-Origin, so a browser will not hand it the response', async () => {
    const res = await http.get(OK).set('Origin', FOREIGN).expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await http
      .options(OK)
      .set('Origin', FOREIGN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets a browser stream client resume: a preflight for GET with Authorization and Last-Event-ID is allowed', async () => {
    const preflight = await http
      .options('/api/v1/stream')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization,last-event-id')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/i);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Last-Event-ID/i);
  });

  it('answers an allowed preflight 204 with the methods and headers, without counting or limiting it', async () => {
    const before = await http.get(OK).set('Origin', ALLOWED).expect(200);
    const remaining = Number(before.headers['x-ratelimit-remaining']);
    for (let i = 0; i < 8; i++) {
      const preflight = await http
        .options(OK)
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type')
        .expect(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(preflight.headers['access-control-allow-methods']).toContain('POST');
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/i);
      expect(preflight.headers['access-control-max-age']).toBe('600');
      expect(preflight.headers['ratelimit']).toBeUndefined();
    }
    // Eight preflights later only the next GET has been counted (the minute window is the nearest to exhaustion).
    const after = await http.get(OK).set('Origin', ALLOWED).expect(200);
    expect(after.headers['ratelimit']).toMatch(/^"minute";/);
    expect(Number(after.headers['x-ratelimit-remaining'])).toBe(remaining - 1);
  });
});
