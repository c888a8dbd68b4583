import type { Server } from 'node:http';
import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { SECURITY_EVENT, type SecurityEvent } from '@app/common';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV, createUser, login, type LoginBody } from './auth-helpers';
import { createTestApp, type TestApp } from './utils/harness';

const PROBLEM = /^application\/problem\+json/;

interface TokenMetadata {
  id: string;
  kind: string;
  subject: string;
  scopes: string[];
  status: string;
  revoked_at: string | null;
}

describe('Identity: admin tokens and users', () => {
  let t: TestApp;
  let server: Server;
  let admin: LoginBody;
  let reader: LoginBody;
  const events: SecurityEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp({ redis: false, env: AUTH_ENV });
    server = t.app.getHttpServer();
    t.app.get(EventEmitter2).on(SECURITY_EVENT, (event: SecurityEvent) => events.push(event));
    admin = await login(server, ADMIN_USERNAME, ADMIN_PASSWORD);
    const user = await createUser(server, admin.access_token, 'plain-reader', ['transparency:read']);
    reader = await login(server, 'plain-reader', user.password);
  });
  afterAll(async () => t?.close());

  const as = (token: string) => ({
    get: (path: string) => request(server).get(path).auth(token, { type: 'bearer' }),
    post: (path: string) => request(server).post(path).auth(token, { type: 'bearer' }),
    patch: (path: string) => request(server).patch(path).auth(token, { type: 'bearer' }),
    delete: (path: string) => request(server).delete(path).auth(token, { type: 'bearer' }),
  });
  const me = (token: string) => as(token).get('/api/v1/auth/me');

  it('issues a service token once, whose sub is the subject and whose jti is the id', async () => {
    const res = await as(admin.access_token)
      .post('/api/v1/admin/tokens')
      .send({ subject: 'trading-engine', scopes: ['transparency:write'], ttl_seconds: 3600, description: 'engine' })
      .expect(201);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'transparency:write' });
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_at', 'id', 'scope', 'token_type']);
    const payload = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ sub: 'trading-engine', jti: res.body.id, scope: 'transparency:write' });
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(3590_000);
    const who = await me(res.body.access_token).expect(200);
    expect(who.body).toMatchObject({ sub: 'trading-engine', username: null, token_id: res.body.id });
    expect(events.find((e) => e.type === 'token.issued' && e.tokenId === res.body.id)).toMatchObject({
      actor: ADMIN_USERNAME,
      detail: { kind: 'service', subject: 'trading-engine' },
    });
    // A service token without admin is refused the admin routes.
    await as(res.body.access_token).get('/api/v1/admin/tokens').expect(403);
  });

  it('lists token metadata, never a token string, and filters by kind', async () => {
    const issued = await as(admin.access_token)
      .post('/api/v1/admin/tokens')
      .send({ subject: 'dashboard', scopes: ['transparency:read'] })
      .expect(201);
    const res = await as(admin.access_token).get('/api/v1/admin/tokens').expect(200);
    expect(res.body.total_count).toBe(res.body.tokens.length);
    expect(res.body.timestamp).toMatch(/Z$/);
    const listed = (res.body.tokens as TokenMetadata[]).find((x) => x.id === issued.body.id);
    expect(listed).toMatchObject({
      kind: 'service',
      subject: 'dashboard',
      scopes: ['transparency:read'],
      status: 'active',
    });
    const raw = JSON.stringify(res.body);
    expect(raw).not.toContain(issued.body.access_token);
    expect(raw).not.toContain(admin.access_token);
    expect(raw).not.toContain('access_token');
    const services = await as(admin.access_token).get('/api/v1/admin/tokens?kind=service').expect(200);
    expect((services.body.tokens as TokenMetadata[]).every((x) => x.kind === 'service')).toBe(true);
    const logins = await as(admin.access_token).get('/api/v1/admin/tokens?kind=access').expect(200);
    expect((logins.body.tokens as TokenMetadata[]).some((x) => x.kind === 'access')).toBe(true);
    await as(admin.access_token).get('/api/v1/admin/tokens?kind=bogus').expect(422);
    await as(admin.access_token).get('/api/v1/admin/tokens?limit=5').expect(422);
  });

  it('revokes a token by id (204, idempotent); it is refused at once; unknown ids are 404, malformed 400', async () => {
    const issued = await as(admin.access_token)
      .post('/api/v1/admin/tokens')
      .send({ subject: 'to-revoke', scopes: ['metrics:read'] })
      .expect(201);
    await me(issued.body.access_token).expect(200);
    await as(admin.access_token).delete(`/api/v1/admin/tokens/${issued.body.id}`).expect(204);
    const refused = await me(issued.body.access_token).expect(401);
    expect(refused.body.detail).toMatch(/revoked/);
    await as(admin.access_token).delete(`/api/v1/admin/tokens/${issued.body.id}`).expect(204);
    const list = await as(admin.access_token).get('/api/v1/admin/tokens?kind=service').expect(200);
    expect((list.body.tokens as TokenMetadata[]).find((x) => x.id === issued.body.id)).toMatchObject({
      status: 'revoked',
    });
    const missing = await as(admin.access_token)
      .delete('/api/v1/admin/tokens/6f1c1d52-8a8e-4c8e-9a55-1f1f1f1f1f1f')
      .expect(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM);
    const malformed = await as(admin.access_token).delete('/api/v1/admin/tokens/not-a-uuid').expect(400);
    expect(malformed.headers['content-type']).toMatch(PROBLEM);
    expect(events.some((e) => e.type === 'token.revoked' && e.tokenId === issued.body.id)).toBe(true);
  });

  it('refuses the admin routes to anonymous callers (401) and to tokens without admin (403)', async () => {
    const routes: [string, string][] = [
      ['post', '/api/v1/admin/tokens'],
      ['get', '/api/v1/admin/tokens'],
      ['delete', '/api/v1/admin/tokens/6f1c1d52-8a8e-4c8e-9a55-1f1f1f1f1f1f'],
      ['post', '/api/v1/admin/users'],
      ['get', '/api/v1/admin/users'],
      ['patch', '/api/v1/admin/users/6f1c1d52-8a8e-4c8e-9a55-1f1f1f1f1f1f'],
    ];
    for (const [method, path] of routes) {
      const anonymous = await (request(server) as unknown as Record<string, (p: string) => request.Test>)[method](path);
      expect({ method, path, status: anonymous.status }).toEqual({ method, path, status: 401 });
      const forbidden = await (as(reader.access_token) as Record<string, (p: string) => request.Test>)[method](path);
      expect({ method, path, status: forbidden.status }).toEqual({ method, path, status: 403 });
    }
  });

  it('validates the issue-token body: missing, wrong types, unknown fields, bad scopes, out-of-range ttl are 422', async () => {
    const cases: unknown[] = [
      {},
      { scopes: ['admin'] },
      { subject: 'x' },
      { subject: 5, scopes: [] },
      { subject: 'x', scopes: 'admin' },
      { subject: 'x', scopes: ['root'] },
      { subject: 'x', scopes: [], ttl_seconds: '3600' },
      { subject: 'x', scopes: [], ttl_seconds: 1 },
      { subject: 'x', scopes: [], token: 'mine' },
      { subject: 's'.repeat(10 * 1024), scopes: [] },
      { subject: 'has space', scopes: [] },
      { subject: 'x', scopes: [], description: 'nul\u0000byte' },
    ];
    for (const body of cases) {
      const res = await as(admin.access_token)
        .post('/api/v1/admin/tokens')
        .send(body as object);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
      expect(res.headers['content-type']).toMatch(PROBLEM);
    }
  });

  it('creates users (no hash in the answer), refuses a taken name with 409, and lists them', async () => {
    const created = await as(admin.access_token)
      .post('/api/v1/admin/users')
      .send({ username: 'auditor', password: 'auditor-password-1', scopes: ['audit:read'] })
      .expect(201);
    expect(created.body).toMatchObject({ username: 'auditor', scopes: ['audit:read'], disabled: false });
    expect(Object.keys(created.body).sort()).toEqual([
      'created_at',
      'disabled',
      'id',
      'scopes',
      'updated_at',
      'username',
    ]);
    expect(created.body.created_at).toMatch(/Z$/);
    const taken = await as(admin.access_token)
      .post('/api/v1/admin/users')
      .send({ username: 'auditor', password: 'another-password-1', scopes: [] })
      .expect(409);
    expect(taken.headers['content-type']).toMatch(PROBLEM);
    const list = await as(admin.access_token).get('/api/v1/admin/users').expect(200);
    expect(list.body.total_count).toBe(list.body.users.length);
    expect((list.body.users as { username: string }[]).map((u) => u.username)).toEqual(
      expect.arrayContaining([ADMIN_USERNAME, 'plain-reader', 'auditor']),
    );
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|password/);
    expect(events.some((e) => e.type === 'user.created' && e.detail?.username === 'auditor')).toBe(true);
  });

  it('validates the user bodies: missing, wrong types, unknown fields, 10 KB usernames, short passwords are 422', async () => {
    const creates: unknown[] = [
      {},
      { username: 'x', scopes: [] },
      { username: 'x', password: 'long-enough-password' },
      { username: 7, password: 'long-enough-password', scopes: [] },
      { username: 'u'.repeat(10 * 1024), password: 'long-enough-password', scopes: [] },
      { username: 'bad name', password: 'long-enough-password', scopes: [] },
      { username: 'x', password: 'short', scopes: [] },
      { username: 'x', password: 'long-enough-password', scopes: ['superuser'] },
      { username: 'x', password: 'long-enough-password', scopes: [], disabled: false },
      { username: 'nul\u0000name', password: 'long-enough-password', scopes: [] },
    ];
    for (const body of creates) {
      const res = await as(admin.access_token)
        .post('/api/v1/admin/users')
        .send(body as object);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
    }
    const user = (await as(admin.access_token).get('/api/v1/admin/users').expect(200)).body.users[0] as {
      id: string;
      scopes: string[];
    };
    // null is a wrong type, not "clear the scopes" (it used to empty them) nor a 500 (disabled: null).
    const patches: object[] = [
      { disabled: 'yes' },
      { scopes: 'admin' },
      { scopes: ['nope'] },
      { username: 'rename' },
      { disabled: null },
      { scopes: null },
    ];
    for (const body of patches) {
      const res = await as(admin.access_token).patch(`/api/v1/admin/users/${user.id}`).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
    }
    const unchanged = (await as(admin.access_token).get('/api/v1/admin/users').expect(200)).body.users[0];
    expect(unchanged).toMatchObject({ id: user.id, scopes: user.scopes, disabled: false });
    await as(admin.access_token).patch('/api/v1/admin/users/123').send({ disabled: true }).expect(400);
    await as(admin.access_token)
      .patch('/api/v1/admin/users/6f1c1d52-8a8e-4c8e-9a55-1f1f1f1f1f1f')
      .send({ disabled: true })
      .expect(404);
  });

  it('disables a user: its tokens are refused at once and its login fails like a wrong password', async () => {
    const user = await createUser(server, admin.access_token, 'leaver', ['transparency:read']);
    const session = await login(server, 'leaver', user.password);
    await me(session.access_token).expect(200);
    const res = await as(admin.access_token)
      .patch(`/api/v1/admin/users/${user.id}`)
      .send({ disabled: true })
      .expect(200);
    expect(res.body).toMatchObject({ username: 'leaver', disabled: true });
    await me(session.access_token).expect(401);
    await request(server).post('/api/v1/auth/refresh').send({ refresh_token: session.refresh_token }).expect(401);
    const disabled = await request(server)
      .post('/api/v1/auth/login')
      .send({ username: 'leaver', password: user.password })
      .expect(401);
    const wrong = await request(server)
      .post('/api/v1/auth/login')
      .send({ username: 'leaver', password: 'nope' })
      .expect(401);
    expect({ ...disabled.body, request_id: 0 }).toEqual({ ...wrong.body, request_id: 0 });
    expect(events.find((e) => e.type === 'user.updated' && e.detail?.user_id === user.id)).toMatchObject({
      detail: { changes: { disabled: true }, revoked_tokens: 1 },
    });

    await as(admin.access_token).patch(`/api/v1/admin/users/${user.id}`).send({ disabled: false }).expect(200);
    await login(server, 'leaver', user.password);
  });

  it("updates a user's scopes: new logins carry them, and taking one away revokes live tokens", async () => {
    const user = await createUser(server, admin.access_token, 'promoted', ['transparency:read']);
    const before = await login(server, 'promoted', user.password);
    const granted = await as(admin.access_token)
      .patch(`/api/v1/admin/users/${user.id}`)
      .send({ scopes: ['transparency:read', 'audit:read'] })
      .expect(200);
    expect(granted.body.scopes).toEqual(['transparency:read', 'audit:read']);
    await me(before.access_token).expect(200);
    const after = await login(server, 'promoted', user.password);
    expect(after.scope).toBe('transparency:read audit:read');
    await as(admin.access_token)
      .patch(`/api/v1/admin/users/${user.id}`)
      .send({ scopes: ['transparency:read'] })
      .expect(200);
    await me(after.access_token).expect(401);
  });
});
