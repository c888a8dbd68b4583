import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login } from './auth-helpers';
import { createTestApp } from './utils/harness';

describe('First admin', () => {
  // Two starts of the embedded PGlite (Postgres in WASM): on a shared machine they take most of
  // the default 30 s between them.
  it('on the embedded default with no ADMIN_*, generates a password, prints it once and stores it 0600', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tapi-auth-embedded-'));
    const printed: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const env = { DATABASE_URL: undefined, DATA_DIR: dataDir, JWT_SECRET: undefined, RATE_LIMIT_ENABLED: 'false' };
    let t = await createTestApp({ redis: false, env });
    try {
      spy.mockRestore();
      const file = join(dataDir, 'admin-password');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const password = readFileSync(file, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(20);
      const announcements = printed.filter((line) => line.includes(password));
      expect(announcements).toHaveLength(1);
      expect(announcements[0]).toContain('username "admin"');
      const tokens = await login(t.app.getHttpServer(), 'admin', password);
      expect(tokens.scope).toBe('admin');

      // A restart finds the admin and prints nothing new.
      await t.close();
      const again: string[] = [];
      const spy2 = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        again.push(String(chunk));
        return true;
      });
      t = await createTestApp({ redis: false, env });
      spy2.mockRestore();
      expect(again.join('')).not.toContain('First admin');
      await login(t.app.getHttpServer(), 'admin', password);
    } finally {
      spy.mockRestore();
      await t.close();
    }
  }, 90_000);

  it('against an external database with no ADMIN_*, creates no admin (and no password file)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tapi-auth-external-'));
    const t = await createTestApp({ redis: false, env: { DATA_DIR: dataDir, RATE_LIMIT_ENABLED: 'false' } });
    try {
      const rows: { count: string }[] = await t.dataSource.query('SELECT count(*) AS count FROM users');
      expect(rows[0]?.count).toBe('0');
      expect(() => statSync(join(dataDir, 'admin-password'))).toThrow();
    } finally {
      await t.close();
    }
  });
});
