import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ENV_REDIS_URL } from './setup/services';
import { AUTH_ENV, login, within } from './auth-helpers';
import { createTestApp, schemaUrl, type TestApp } from './utils/harness';

const ROOT = join(__dirname, '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs apps/cli/src/main.ts from its sources (no dist/ build), as `npm run cli` would. */
const REGISTER = join(ROOT, 'test/utils/register-ts.js');
const CLI_MAIN = join(ROOT, 'apps/cli/src/main.ts');

/** `npm run cli -- <args>`, from the sources. */
function cli(args: string[], env: Record<string, string | undefined>, stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REGISTER, CLI_MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('Admin CLI: users and tokens against the same database', () => {
  let api: TestApp;
  let server: Server;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    const secret = randomBytes(32).toString('hex');
    api = await createTestApp({ env: { ...AUTH_ENV, JWT_SECRET: secret } });
    server = api.app.getHttpServer();
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: schemaUrl(api.schema),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tapi-cli-')),
      REDIS_URL: process.env[ENV_REDIS_URL],
      REDIS_KEY_PREFIX: `${api.schema}:`,
      JWT_SECRET: secret,
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => api?.close());

  it('refuses bad arguments with a clear message and exit code 2, before connecting anywhere', async () => {
    const offline = { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/test' };
    const cases: [string[], RegExp][] = [
      [[], /Usage: npm run cli/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['create-user'], /create-user takes <username>/],
      [['create-user', 'x', '--scopes', 'root'], /unknown scope "root"/],
      [['issue-token', '--subject', 'svc', '--scopes', 'admin', '--ttl', 'forever'], /--ttl is a duration/],
      [['issue-token', '--subject', 'svc', '--scope', 'admin'], /unknown option --scope/],
      [['revoke-token', 'not-a-uuid'], /is not a token id/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args, offline)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i];
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stdout + run.stderr).toMatch(message);
    });
  });

  it('creates a user who can then log in over HTTP, and refuses a taken name with exit code 1', async () => {
    const password = 'cli-created-password';
    const created = await cli(
      ['create-user', 'cli-analyst', '--scopes', 'transparency:read,audit:read', '--password-stdin'],
      env,
      `${password}\n`,
    );
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toMatch(
      /Created user "cli-analyst" \(id [0-9a-f-]{36}, scopes: transparency:read audit:read\)/,
    );
    expect(created.stdout).not.toContain(password);
    const tokens = await login(server, 'cli-analyst', password);
    expect(tokens.scope).toBe('transparency:read audit:read');

    const generated = await cli(['create-user', 'cli-generated'], env);
    expect(generated.code).toBe(0);
    const shown = /Password \(shown once\): (\S+)/.exec(generated.stdout)?.[1] as string;
    await login(server, 'cli-generated', shown);

    const again = await cli(['create-user', 'cli-analyst', '--password-stdin'], env, `${password}\n`);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const short = await cli(['create-user', 'cli-short', '--password-stdin'], env, 'short\n');
    expect(short.code).toBe(2);

    const list = await cli(['list-users'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/cli-analyst\s+active\s+transparency:read audit:read/);
    expect(list.stdout).not.toMatch(/argon2/);
  });

  it('issues a service token the API accepts, lists it without the token, and revokes it for the API within 1 s', async () => {
    const issued = await cli(
      [
        'issue-token',
        '--subject',
        'cli-dashboard',
        '--scopes',
        'transparency:read',
        '--ttl',
        '1h',
        '--description',
        'from the CLI',
      ],
      env,
    );
    expect(issued.code).toBe(0);
    const id = /Issued token ([0-9a-f-]{36})/.exec(issued.stdout)?.[1] as string;
    const token = issued.stdout.trim().split('\n').at(-1) as string;
    const me = await request(server).get('/api/v1/auth/me').auth(token, { type: 'bearer' }).expect(200);
    expect(me.body).toMatchObject({ sub: 'cli-dashboard', token_id: id, scopes: ['transparency:read'] });

    const list = await cli(['list-tokens', '--kind', 'service'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+service\\s+active`));
    expect(list.stdout).not.toContain(token);

    const revoked = await cli(['revoke-token', id], env);
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.stdout).toContain(`Revoked token ${id}`);
    await within(
      1000,
      async () => (await request(server).get('/api/v1/auth/me').auth(token, { type: 'bearer' })).status === 401,
    );

    const unknown = await cli(['revoke-token', '6f1c1d52-8a8e-4c8e-9a55-1f1f1f1f1f1f'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no token with id/);
  });

  it("on the zero-setup default, uses the running server's embedded database and signing secret", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tapi-cli-embedded-'));
    const embedded = await createTestApp({
      redis: false,
      env: { ...AUTH_ENV, DATABASE_URL: undefined, JWT_SECRET: undefined, DATA_DIR: dataDir },
    });
    try {
      const local = { PATH: process.env.PATH, NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
      const issued = await cli(['issue-token', '--subject', 'zero-setup', '--scopes', 'metrics:read'], local);
      expect(issued.code).toBe(0);
      const token = issued.stdout.trim().split('\n').at(-1) as string;
      await request(embedded.app.getHttpServer()).get('/api/v1/auth/me').auth(token, { type: 'bearer' }).expect(200);
    } finally {
      await embedded.close();
    }
  }, 90_000);
});
