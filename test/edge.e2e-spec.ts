import request from 'supertest';
import { EdgeProbeController, tokenFor } from './edge-probe';
import { createTestApp, type TestApp } from './utils/harness';

const OK = '/api/v1/edge-probe/ok';
const LIMITS = { RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '100', RATE_LIMIT_BLOCK_SECONDS: '2' };

describe('Client IP and trusted proxies', () => {
  describe('by default (TRUST_PROXY unset)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ redis: false, env: LIMITS, extraControllers: [EdgeProbeController] });
    });
    afterAll(async () => t?.close());

    it('ignores a forged X-Forwarded-For: every forged address shares the socket address`s quota', async () => {
      const http = request(t.app.getHttpServer());
      for (const [i, forged] of ['203.0.113.1', '203.0.113.2', '198.51.100.7'].entries()) {
        const res = await http.get(OK).set('X-Forwarded-For', forged).expect(200);
        expect(res.body.ip).toMatch(/127\.0\.0\.1|::1/);
        expect(res.headers['x-ratelimit-remaining']).toBe(String(2 - i));
      }
      await http.get(OK).set('X-Forwarded-For', '192.0.2.99').expect(429);
    });
  });

  describe('behind a configured proxy (TRUST_PROXY=loopback)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        redis: false,
        env: { ...LIMITS, TRUST_PROXY: 'loopback' },
        extraControllers: [EdgeProbeController],
      });
    });
    afterAll(async () => t?.close());

    it('takes the client IP from X-Forwarded-For, so each client behind the proxy has its own quota', async () => {
      const http = request(t.app.getHttpServer());
      for (let i = 0; i < 3; i++) {
        const res = await http.get(OK).set('X-Forwarded-For', '203.0.113.1').expect(200);
        expect(res.body.ip).toBe('203.0.113.1');
      }
      await http.get(OK).set('X-Forwarded-For', '203.0.113.1').expect(429);
      const other = await http.get(OK).set('X-Forwarded-For', '203.0.113.2').expect(200);
      expect(other.headers['x-ratelimit-remaining']).toBe('2');
      // Only the hop added by the trusted proxy counts: a client-supplied left part is not believed.
      const chained = await http.get(OK).set('X-Forwarded-For', '203.0.113.1, 198.51.100.9').expect(200);
      expect(chained.body.ip).toBe('198.51.100.9');
    });
  });
});

describe('Security headers', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    t = await createTestApp({ redis: false, extraControllers: [EdgeProbeController] });
    http = request(t.app.getHttpServer());
  });
  afterAll(async () => t?.close());

  it('gives API responses, errors included, a deny-all CSP, HSTS, nosniff, DENY framing and no X-Powered-By', async () => {
    for (const res of [await http.get(OK).expect(200), await http.get('/api/v1/nowhere').expect(404)]) {
      expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('gives /docs a policy that allows its own scripts and styles, and nothing remote', async () => {
    const res = await http.get('/docs').redirects(1).expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).not.toMatch(/https?:/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).not.toMatch(/<script[^>]+src="https?:/);
  });

  it('marks authenticated responses Cache-Control: no-store, anonymous public ones not', async () => {
    const token = await tokenFor(t, 'cache-subject');
    const authenticated = await http.get(OK).auth(token, { type: 'bearer' }).expect(200);
    expect(authenticated.headers['cache-control']).toBe('no-store');
    const refused = await http.get(OK).auth('not-a-token', { type: 'bearer' }).expect(200);
    expect(refused.headers['cache-control']).toBe('no-store');
    const anonymous = await http.get(OK).expect(200);
    expect(anonymous.headers['cache-control']).toBeUndefined();
  });

  it('marks the token endpoints` answers no-store even though the request carries no token', async () => {
    const res = await http.post('/api/v1/auth/login').send({ username: 'nobody', password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('marks token answers no-store whatever the case of the path (routing ignores case)', async () => {
    for (const path of ['/API/V1/AUTH/LOGIN', '/api/v1/Auth/login']) {
      const res = await http.post(path).send({ username: 'nobody', password: 'wrong-password' });
      expect({ path, status: res.status, cacheControl: res.headers['cache-control'] }).toEqual({
        path,
        status: 401,
        cacheControl: 'no-store',
      });
    }
  });
});
