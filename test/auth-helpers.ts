import { createHmac, type KeyObject, sign } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';

export const ADMIN_USERNAME = 'root-admin';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** Test env: a seeded admin and no rate limit (these suites send bursts on purpose). */
export const AUTH_ENV = {
  ADMIN_USERNAME,
  ADMIN_PASSWORD,
  RATE_LIMIT_ENABLED: 'false',
  // Lock-out has its own suite; here failed logins are part of other stories.
  LOGIN_LOCKOUT_THRESHOLD: '1000',
  LOGIN_LOCKOUT_IP_THRESHOLD: '1000',
};

export interface LoginBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

export async function login(server: Server, username: string, password: string): Promise<LoginBody> {
  const res = await request(server).post('/api/v1/auth/login').send({ username, password }).expect(200);
  return res.body as LoginBody;
}

export async function createUser(
  server: Server,
  adminToken: string,
  username: string,
  scopes: string[],
  password = `${username}-password-123`,
): Promise<{ id: string; password: string }> {
  const res = await request(server)
    .post('/api/v1/admin/users')
    .auth(adminToken, { type: 'bearer' })
    .send({ username, password, scopes })
    .expect(201);
  return { id: (res.body as { id: string }).id, password };
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand, so tests can forge what the API must refuse. */
export function forgeHs256(header: object, payload: object, secret: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function forgeAsymmetric(
  header: { alg: 'ES256' | 'RS256' | 'EdDSA'; kid?: string } & object,
  payload: object,
  key: KeyObject,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature =
    header.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : header.alg === 'RS256'
        ? sign('sha256', Buffer.from(input), key)
        : sign(null, Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

export function unsigned(payload: object): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
}

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'transparency-api',
    aud: 'transparency-api',
    sub: 'forger',
    jti: '00000000-0000-4000-8000-000000000001',
    iat: now,
    exp: now + 600,
    scope: 'admin',
    token_kind: 'service',
    ...overrides,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true or `timeoutMs` passes; returns the elapsed time. */
export async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}
