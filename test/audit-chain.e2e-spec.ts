import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import {
  AUDIT_VERIFY_LOCK_KEY,
  type AuditEntry,
  type AuditRow,
  AuditService,
  GENESIS_HASH,
  legacyChainHash,
  rowToEntry,
} from '@app/audit';
import { TokensService } from '@app/auth';
import type { Scope } from '@app/common';
import { ADMIN_PASSWORD, ADMIN_USERNAME, AUTH_ENV, createUser, login } from './auth-helpers';
import {
  baseDatabaseUrl,
  createSchema,
  createTestApp,
  dropSchema,
  schemaUrl,
  type TestApp,
  withClient,
} from './utils/harness';
import { TcpProxy } from './utils/tcp-proxy';

/** A row of audit_records as the database returns it. */
type ChainRow = AuditRow;

async function chain(t: TestApp): Promise<ChainRow[]> {
  return await t.dataSource.query<ChainRow[]>('SELECT * FROM audit_records ORDER BY seq');
}

/**
 * What someone with write access to the table but without the key can do: rewrite the
 * links from `fromIndex` on with the published algorithm (SHA-256 over the predecessor
 * and the canonical content), exactly as the unkeyed chain computed them.
 */
async function reforge(t: TestApp, fromIndex: number, alg?: string): Promise<void> {
  const rows = await chain(t);
  let prev = fromIndex === 0 ? GENESIS_HASH : rows[fromIndex - 1].hash;
  for (const row of rows.slice(fromIndex)) {
    const hash = legacyChainHash(prev, rowToEntry(row));
    await t.dataSource.query(
      'UPDATE audit_records SET prev_hash = $2, hash = $3, chain_alg = COALESCE($4, chain_alg) WHERE id = $1',
      [row.id, prev, hash, alg ?? null],
    );
    prev = hash;
  }
}

async function bearer(t: TestApp, scopes: Scope[]): Promise<string> {
  const token = await t.app
    .get(TokensService)
    .issueServiceToken({ subject: `chain-test-${scopes.join('+')}`, scopes, ttlSeconds: 600 });
  return `Bearer ${token.accessToken}`;
}

const NO_LIMITS = { RATE_LIMIT_ENABLED: 'false' };

describe('Keyed audit chain', () => {
  describe('verification', () => {
    let t: TestApp;
    let http: ReturnType<typeof request>;
    let auth: string;
    const verify = async (query = ''): Promise<Record<string, unknown>> =>
      (await http.get(`/api/v1/audit/verify${query}`).set('Authorization', auth).expect(200)).body as Record<
        string,
        unknown
      >;
    const traffic = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await http.get(`/api/v1/chain-probe-${i}`).expect(404);
      await t.app.get(AuditService).flush();
    };

    beforeAll(async () => {
      t = await createTestApp({ redis: false, env: NO_LIMITS });
      http = request(t.app.getHttpServer());
      auth = await bearer(t, ['audit:read']);
    });
    afterAll(async () => t?.close());

    it('seals every link with HMAC-SHA256 under the key, never plain SHA-256', async () => {
      await traffic(3);
      const rows = await chain(t);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const row of rows) {
        expect(row.chain_alg).toBe('hmac-sha256');
        expect(row.hash).not.toBe(legacyChainHash(row.prev_hash, rowToEntry(row)));
      }
      expect(await verify('?full=true')).toMatchObject({ valid: true, first_broken_id: null, reason: null });
    });

    it('names an edited record even when the attacker recomputes the SHA-256 chain after it', async () => {
      await traffic(4);
      const rows = await chain(t);
      const index = rows.length - 3;
      await t.dataSource.query('UPDATE audit_records SET status = 200, path = $2 WHERE id = $1', [
        rows[index].id,
        '/api/v1/innocent',
      ]);
      await reforge(t, index);
      expect(await verify('?full=true')).toMatchObject({
        valid: false,
        first_broken_id: rows[index].id,
        reason: 'hash_mismatch',
      });

      // Claiming the forged links are pre-upgrade (unkeyed) ones does not help either.
      await reforge(t, index, 'sha256');
      expect(await verify('?full=true')).toMatchObject({
        valid: false,
        first_broken_id: rows[index].id,
        reason: 'unkeyed_record',
      });
    });

    it('names a deleted record’s successor and the first of two reordered records', async () => {
      const schema = await createSchema();
      const s = await createTestApp({ schema, redis: false, env: NO_LIMITS });
      try {
        const h = request(s.app.getHttpServer());
        for (let i = 0; i < 6; i++) await h.get(`/api/v1/order-${i}`).expect(404);
        await s.app.get(AuditService).flush();
        const rows = await chain(s);
        const sAuth = await bearer(s, ['audit:read']);
        const sVerify = async (): Promise<Record<string, unknown>> =>
          (await h.get('/api/v1/audit/verify?full=true').set('Authorization', sAuth).expect(200)).body as Record<
            string,
            unknown
          >;

        // Swap the positions of records 2 and 3 (their content and links move with them).
        await s.dataSource.query('UPDATE audit_records SET seq = -1 WHERE id = $1', [rows[2].id]);
        await s.dataSource.query('UPDATE audit_records SET seq = $2 WHERE id = $1', [rows[3].id, rows[2].seq]);
        await s.dataSource.query('UPDATE audit_records SET seq = $2 WHERE id = $1', [rows[2].id, rows[3].seq]);
        expect(await sVerify()).toMatchObject({ valid: false, first_broken_id: rows[3].id, reason: 'broken_link' });

        await s.dataSource.query('UPDATE audit_records SET seq = -1 WHERE id = $1', [rows[2].id]);
        await s.dataSource.query('UPDATE audit_records SET seq = $2 WHERE id = $1', [rows[3].id, rows[3].seq]);
        await s.dataSource.query('UPDATE audit_records SET seq = $2 WHERE id = $1', [rows[2].id, rows[2].seq]);
        expect(await sVerify()).toMatchObject({ valid: true });

        await s.dataSource.query('DELETE FROM audit_records WHERE id = $1', [rows[1].id]);
        expect(await sVerify()).toMatchObject({ valid: false, first_broken_id: rows[2].id, reason: 'broken_link' });
      } finally {
        await s.close();
        await dropSchema(schema);
      }
    });

    it('resumes from its last checkpoint, and rechecks everything with ?full=true', async () => {
      const schema = await createSchema();
      const s = await createTestApp({ schema, redis: false, env: NO_LIMITS });
      try {
        const h = request(s.app.getHttpServer());
        const sAuth = await bearer(s, ['audit:read']);
        const sVerify = async (query = ''): Promise<Record<string, unknown>> =>
          (await h.get(`/api/v1/audit/verify${query}`).set('Authorization', sAuth).expect(200)).body as Record<
            string,
            unknown
          >;
        for (let i = 0; i < 5; i++) await h.get(`/api/v1/resume-${i}`).expect(404);
        await s.app.get(AuditService).flush();
        const first = await sVerify();
        expect(first).toMatchObject({ valid: true, full: true });
        const total = (await chain(s)).length;
        expect(first.checked).toBe(total);

        // Only what was written since is checked again.
        await s.app.get(AuditService).flush();
        const before = (await chain(s)).length;
        const resumed = await sVerify();
        expect(resumed).toMatchObject({ valid: true, full: false });
        expect(resumed.checked).toBe(before - total);
        expect(await sVerify('?full=true')).toMatchObject({ valid: true, full: true });

        // A forged checkpoint (moved past unchecked records, tag copied) is ignored: the walk
        // starts over and finds the edit.
        await h.get('/api/v1/after-checkpoint').expect(404);
        await s.app.get(AuditService).flush();
        const rows = await chain(s);
        await s.dataSource.query('UPDATE audit_records SET status = 299 WHERE id = $1', [rows[1].id]);
        await s.dataSource.query("UPDATE audit_chain_state SET seq = $1, hash = $2 WHERE name = 'checkpoint'", [
          rows[rows.length - 1].seq,
          rows[rows.length - 1].hash,
        ]);
        const forged = await sVerify();
        expect(forged).toMatchObject({ valid: false, first_broken_id: rows[1].id, full: true });
        await s.dataSource.query('UPDATE audit_records SET status = $2 WHERE id = $1', [rows[1].id, rows[1].status]);

        // Deleting the tail the last run vouched for is reported, although no record is left to name.
        await sVerify('?full=true');
        await s.app.get(AuditService).flush();
        const [last] = await s.dataSource.query<{ id: string }[]>(
          "SELECT r.id FROM audit_records r JOIN audit_chain_state c ON c.name = 'checkpoint' AND c.seq = r.seq",
        );
        await s.dataSource.query(
          'DELETE FROM audit_records WHERE seq >= (SELECT seq FROM audit_records WHERE id = $1)',
          [last.id],
        );
        expect(await sVerify()).toMatchObject({ valid: false, first_broken_id: null, reason: 'truncated' });
      } finally {
        await s.close();
        await dropSchema(schema);
      }
    });

    it('runs one verification at a time across replicas: a second one gets 409 with Retry-After', async () => {
      await withClient(async (client) => {
        await client.query('BEGIN');
        // Another replica's verification holds the lock.
        await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_VERIFY_LOCK_KEY]);
        try {
          const busy = await http.get('/api/v1/audit/verify').set('Authorization', auth).expect(409);
          expect(busy.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(busy.headers['retry-after']).toBe('5');
        } finally {
          await client.query('ROLLBACK');
        }
      }, schemaUrl(t.schema));
      await http.get('/api/v1/audit/verify').set('Authorization', auth).expect(200);
    });

    it('refuses an unknown verify parameter value with 422', async () => {
      await http.get('/api/v1/audit/verify?full=yes').set('Authorization', auth).expect(422);
      await http.get('/api/v1/audit/verify?fast=true').set('Authorization', auth).expect(422);
    });
  });

  describe('records written before the chain was keyed', () => {
    it('verify accepts the old SHA-256 prefix up to where it ended, and nothing unkeyed after it', async () => {
      const schema = await createSchema();
      const first = await createTestApp({ schema, redis: false, env: NO_LIMITS });
      await first.close();
      // Three records as the unkeyed version of the chain wrote them.
      await withClient(async (client) => {
        let prev = GENESIS_HASH;
        for (let i = 0; i < 3; i++) {
          const entry: AuditEntry = {
            id: randomUUID(),
            occurredAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)),
            requestId: `legacy-${i}`,
            actor: 'anonymous',
            tokenId: null,
            ip: '127.0.0.1',
            method: 'GET',
            route: null,
            path: `/api/v1/legacy-${i}`,
            status: 404,
            durationMs: '1.000',
            userAgent: null,
            event: 'http.request',
            detail: null,
          };
          const hash = legacyChainHash(prev, entry);
          await client.query(
            `INSERT INTO audit_records (id, occurred_at, request_id, actor, ip, method, path, status, duration_ms, event,
               prev_hash, hash, chain_alg) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'sha256')`,
            [
              entry.id,
              entry.occurredAt,
              entry.requestId,
              entry.actor,
              entry.ip,
              entry.method,
              entry.path,
              404,
              '1.000',
              entry.event,
              prev,
              hash,
            ],
          );
          prev = hash;
        }
      }, schemaUrl(schema));

      const t = await createTestApp({ schema, redis: false, env: NO_LIMITS });
      try {
        const http = request(t.app.getHttpServer());
        for (let i = 0; i < 3; i++) await http.get(`/api/v1/after-upgrade-${i}`).expect(404);
        await t.app.get(AuditService).flush();
        const auth = await bearer(t, ['audit:read']);
        const verify = async (): Promise<Record<string, unknown>> =>
          (await http.get('/api/v1/audit/verify?full=true').set('Authorization', auth).expect(200)).body as Record<
            string,
            unknown
          >;
        const rows = await chain(t);
        expect(rows.slice(0, 3).map((r) => r.chain_alg)).toEqual(['sha256', 'sha256', 'sha256']);
        expect(rows.slice(3).every((r) => r.chain_alg === 'hmac-sha256')).toBe(true);
        expect(rows[3].prev_hash).toBe(rows[2].hash);
        expect(await verify()).toMatchObject({ valid: true, checked: rows.length });

        // Rewriting the old prefix consistently is still caught where it meets the keyed chain.
        await t.dataSource.query('UPDATE audit_records SET status = 200 WHERE id = $1', [rows[0].id]);
        await reforge(t, 0);
        const forged = await verify();
        expect(forged).toMatchObject({ valid: false });
        expect([rows[2].id, rows[3].id]).toContain(forged.first_broken_id);
      } finally {
        await t.close();
        await dropSchema(schema);
      }
    });
  });

  describe('what a record says', () => {
    let t: TestApp;
    let http: ReturnType<typeof request>;

    beforeAll(async () => {
      t = await createTestApp({ redis: false, env: AUTH_ENV });
      http = request(t.app.getHttpServer());
    });
    afterAll(async () => t?.close());

    const events = async (event: string): Promise<{ actor: string; detail: Record<string, unknown> | null }[]> => {
      await t.app.get(AuditService).flush();
      return await t.dataSource.query('SELECT actor, detail FROM audit_records WHERE event = $1 ORDER BY seq', [event]);
    };

    it('keeps counts of revoked tokens readable and names user events by username', async () => {
      const admin = await login(t.app.getHttpServer(), ADMIN_USERNAME, ADMIN_PASSWORD);
      const user = await createUser(t.app.getHttpServer(), admin.access_token, 'chain-reader', ['transparency:read']);
      const first = await login(t.app.getHttpServer(), 'chain-reader', user.password);
      await http.post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200);
      // Re-use of the rotated token: the family dies, and the audit says how many tokens went with it.
      await http.post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }).expect(401);
      const [reuse] = await events('token.refresh_reuse');
      expect(reuse.actor).toBe('chain-reader');
      expect(reuse.detail?.revoked_access_tokens).toBe(2);
      const [refreshed] = await events('token.refreshed');
      expect(refreshed.actor).toBe('chain-reader');

      const other = await login(t.app.getHttpServer(), 'chain-reader', user.password);
      expect(other.access_token).toBeTruthy();
      await http
        .patch(`/api/v1/admin/users/${user.id}`)
        .auth(admin.access_token, { type: 'bearer' })
        .send({ disabled: true })
        .expect(200);
      const updated = (await events('user.updated')).pop();
      expect(updated?.actor).toBe(ADMIN_USERNAME);
      expect(typeof updated?.detail?.revoked_tokens).toBe('number');
      expect(updated?.detail?.revoked_tokens).toBeGreaterThanOrEqual(1);
    });

    it('never stores the username of a failed login that names no account, only a keyed fingerprint', async () => {
      // A password typed into the username field.
      const typo = 'Tr0ub4dor&3-my-real-password';
      for (let i = 0; i < 2; i++) {
        await http.post('/api/v1/auth/login').send({ username: typo, password: 'whatever' }).expect(401);
      }
      await http.post('/api/v1/auth/login').send({ username: ADMIN_USERNAME, password: 'wrong-password' }).expect(401);
      const failures = await events('login.failure');
      const everything = await t.dataSource.query<{ text: string }[]>(
        "SELECT string_agg(row_to_json(a)::text, E'\\n') AS text FROM audit_records a",
      );
      expect(everything[0].text).not.toContain(typo);
      expect(everything[0].text).not.toContain(typo.toLowerCase());
      const unknown = failures.filter((f) => f.actor === 'unknown-user');
      expect(unknown.length).toBeGreaterThanOrEqual(2);
      expect(unknown[0].detail?.username_fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(unknown[1].detail?.username_fingerprint).toBe(unknown[0].detail?.username_fingerprint);
      const known = failures.find((f) => f.actor === ADMIN_USERNAME);
      expect(known?.detail).toMatchObject({ reason: 'wrong_password' });
      expect(known?.detail?.username_fingerprint).not.toBe(unknown[0].detail?.username_fingerprint);
    });
  });

  describe('the key', () => {
    it('is generated once outside production and kept 0600 under DATA_DIR, so the chain survives a restart', async () => {
      const schema = await createSchema();
      const env = { ...NO_LIMITS, AUDIT_HMAC_KEY: undefined };
      const a = await createTestApp({ schema, redis: false, env });
      const keyFile = join(a.config.database.dataDir, 'audit-hmac-key');
      try {
        await request(a.app.getHttpServer()).get('/api/v1/generated-key').expect(404);
        await a.app.get(AuditService).flush();
        expect(existsSync(keyFile)).toBe(true);
        expect(statSync(keyFile).mode & 0o777).toBe(0o600);
        expect(readFileSync(keyFile, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
      } finally {
        await a.close();
      }
      const b = await createTestApp({
        schema,
        redis: false,
        env: { ...env, DATA_DIR: a.config.database.dataDir },
      });
      try {
        await request(b.app.getHttpServer()).get('/api/v1/generated-key-again').expect(404);
        await b.app.get(AuditService).flush();
        const auth = await bearer(b, ['audit:read']);
        const res = await request(b.app.getHttpServer())
          .get('/api/v1/audit/verify?full=true')
          .set('Authorization', auth)
          .expect(200);
        expect(res.body).toMatchObject({ valid: true });
      } finally {
        await b.close();
        await dropSchema(schema);
      }
    });

    it('names the first record sealed under another key', async () => {
      const schema = await createSchema();
      const a = await createTestApp({ schema, redis: false, env: { ...NO_LIMITS, AUDIT_HMAC_KEY: 'k'.repeat(40) } });
      await request(a.app.getHttpServer()).get('/api/v1/old-key').expect(404);
      await a.close();
      const b = await createTestApp({ schema, redis: false, env: { ...NO_LIMITS, AUDIT_HMAC_KEY: 'j'.repeat(40) } });
      try {
        const [firstRow] = await chain(b);
        const auth = await bearer(b, ['audit:read']);
        const res = await request(b.app.getHttpServer())
          .get('/api/v1/audit/verify?full=true')
          .set('Authorization', auth)
          .expect(200);
        expect(res.body).toMatchObject({ valid: false, first_broken_id: firstRow.id, reason: 'unknown_key' });
      } finally {
        await b.close();
        await dropSchema(schema);
      }
    });
  });

  describe('bounded spill', () => {
    it('past AUDIT_SPILL_MAX_BYTES drops records, counts them in audit_events_dropped_total and keeps the rest', async () => {
      const base = new URL(baseDatabaseUrl());
      const proxy = new TcpProxy(base.hostname, Number(base.port || 5432));
      await proxy.start();
      base.host = `127.0.0.1:${proxy.port}`;
      const t = await createTestApp({
        redis: false,
        databaseUrl: base.toString(),
        env: {
          ...NO_LIMITS,
          AUDIT_QUEUE_MAX: '10',
          AUDIT_BATCH_SIZE: '10',
          AUDIT_FLUSH_INTERVAL_MS: '50',
          AUDIT_SPILL_MAX_BYTES: '4kb',
        },
      });
      try {
        const http = request(t.app.getHttpServer());
        const scrapeDropped = async (): Promise<number> => {
          const text = (await http.get('/metrics').expect(200)).text;
          return Number(/^audit_events_dropped_total (\S+)$/m.exec(text)?.[1] ?? NaN);
        };
        const droppedBefore = await scrapeDropped();
        await proxy.stop();
        const ids: string[] = [];
        for (let i = 0; i < 80; i++) {
          ids.push((await http.get(`/api/v1/spill-bound-${i}`).expect(404)).headers['x-request-id']);
        }
        const spillDir = join(t.config.database.dataDir, 'audit-spill');
        const spilled = readdirSync(spillDir).reduce((sum, name) => sum + statSync(join(spillDir, name)).size, 0);
        expect(spilled).toBeGreaterThan(0);
        expect(spilled).toBeLessThanOrEqual(4096);
        const dropped = (await scrapeDropped()) - droppedBefore;
        expect(dropped).toBeGreaterThan(0);

        await proxy.start();
        let flushed = false;
        for (let attempt = 0; attempt < 40 && !flushed; attempt++) {
          flushed = await t.app.get(AuditService).flush();
          if (!flushed) await new Promise((r) => setTimeout(r, 250));
        }
        expect(flushed).toBe(true);
        const stored = await withClient(
          (c) => c.query('SELECT request_id FROM audit_records WHERE request_id = ANY($1)', [ids]),
          schemaUrl(t.schema),
        );
        // Nothing is lost silently: every record is either in Postgres or counted as dropped.
        expect(stored.rowCount).toBe(ids.length - dropped);
        expect(stored.rowCount).toBeGreaterThanOrEqual(10);
      } finally {
        await t.close();
        await proxy.stop();
      }
    }, 60_000);
  });
});
