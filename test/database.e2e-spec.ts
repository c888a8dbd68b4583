import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  buildDataSourceOptions,
  DataDirectoryLockedError,
  EmbeddedPostgres,
  pendingSchemaChanges,
  runMigrationsLocked,
} from '@app/database';
import { createSchema, createTestApp, dropSchema, schemaUrl, testConfig } from './utils/harness';

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE widgets (id integer PRIMARY KEY, name text NOT NULL)');
    // Long enough that a second replica starting at the same moment really contends for the lock.
    await queryRunner.query('SELECT pg_sleep(0.3)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE widgets');
  }
}

async function dataSourceFor(url: string, embedded: boolean, migrations: Function[] = []): Promise<DataSource> {
  const schema = new URL(url).searchParams.get('options') ?? '';
  const config = testConfig(schema.replace(/.*search_path=/, '') || 'public', {
    env: embedded ? { DATABASE_URL: undefined } : {},
  });
  const options = { ...buildDataSourceOptions(config, url), migrations };
  return new DataSource(options).initialize();
}

/** Two concurrent transactions, one rolled back: the other's write survives, the rolled-back one leaves nothing. */
async function expectRollbackIsolation(dataSource: DataSource): Promise<void> {
  await dataSource.query('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)');
  let releaseFirst!: () => void;
  const firstWaits = new Promise<void>((resolve) => (releaseFirst = resolve));
  const committed = dataSource.transaction(async (manager) => {
    await manager.query(`INSERT INTO notes (body) VALUES ('kept')`);
    await firstWaits;
  });
  const rolledBack = dataSource
    .transaction(async (manager) => {
      await manager.query(`INSERT INTO notes (body) VALUES ('discarded')`);
      throw new Error('request failed');
    })
    .catch((error: Error) => error.message);
  setTimeout(releaseFirst, 100);
  const [, failure] = await Promise.all([committed, rolledBack]);
  expect(failure).toBe('request failed');
  const rows: { body: string }[] = await dataSource.query('SELECT body FROM notes ORDER BY id');
  expect(rows.map((r) => r.body)).toEqual(['kept']);
}

describe('Database', () => {
  it('has entities and migrations that agree: generating a migration on a migrated database yields nothing', async () => {
    const t = await createTestApp({ redis: false });
    try {
      const { up } = await pendingSchemaChanges(t.dataSource);
      expect(up).toEqual([]);
      const applied: { name: string }[] = await t.dataSource.query('SELECT name FROM schema_migrations');
      expect(applied.length).toBe(t.dataSource.migrations.length);
    } finally {
      await t.close();
    }
  });

  it('runs migrations once when two replicas start together (advisory lock)', async () => {
    const schema = await createSchema();
    const url = schemaUrl(schema);
    const [a, b] = await Promise.all([
      dataSourceFor(url, false, [CreateWidgets1700000000000]),
      dataSourceFor(url, false, [CreateWidgets1700000000000]),
    ]);
    try {
      const results = await Promise.all([runMigrationsLocked(a), runMigrationsLocked(b)]);
      expect(results.flat()).toEqual(['CreateWidgets1700000000000']);
      const rows: { name: string }[] = await a.query('SELECT name FROM schema_migrations');
      expect(rows.map((r) => r.name)).toEqual(['CreateWidgets1700000000000']);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
      await dropSchema(schema);
    }
  });

  it('keeps a rolled-back transaction from undoing a concurrent one on Postgres', async () => {
    const schema = await createSchema();
    const dataSource = await dataSourceFor(schemaUrl(schema), false);
    try {
      await expectRollbackIsolation(dataSource);
    } finally {
      await dataSource.destroy();
      await dropSchema(schema);
    }
  });

  describe('embedded PGlite (zero-setup default)', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tapi-embedded-'));

    it('serves PGlite to the pg driver with a pool of one, isolating a rolled-back transaction from a concurrent one', async () => {
      const embedded = await EmbeddedPostgres.start(dataDir);
      const dataSource = await dataSourceFor(embedded.url, true, [CreateWidgets1700000000000]);
      try {
        expect(dataSource.driver.options).toMatchObject({ poolSize: 1 });
        await runMigrationsLocked(dataSource);
        await expectRollbackIsolation(dataSource);
        await dataSource.query(`INSERT INTO widgets VALUES (1, 'persisted')`);
      } finally {
        await dataSource.destroy();
        await embedded.stop();
      }
    });

    it('lets one process own the data directory at a time, through a 0600 lock file naming its socket', async () => {
      const embedded = await EmbeddedPostgres.start(dataDir);
      try {
        const lockPath = join(dataDir, 'transparency-api.lock');
        expect(statSync(lockPath).mode & 0o777).toBe(0o600);
        expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid, port: embedded.port });
        await expect(EmbeddedPostgres.start(dataDir)).rejects.toThrow(/in use/);
      } finally {
        await embedded.stop();
      }
    });

    it('keeps its data across a restart on the same directory', async () => {
      const embedded = await EmbeddedPostgres.start(dataDir);
      const dataSource = await dataSourceFor(embedded.url, true, [CreateWidgets1700000000000]);
      try {
        expect(await runMigrationsLocked(dataSource)).toEqual([]);
        const rows: { name: string }[] = await dataSource.query('SELECT name FROM widgets');
        expect(rows).toEqual([{ name: 'persisted' }]);
      } finally {
        await dataSource.destroy();
        await embedded.stop();
      }
    });

    it('asks for a generated password (0600 under DATA_DIR): PGlite alone would let any local process in', async () => {
      const embedded = await EmbeddedPostgres.start(dataDir);
      try {
        const passwordFile = join(dataDir, 'embedded-db-password');
        expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
        const password = readFileSync(passwordFile, 'utf8').trim();
        expect(password.length).toBeGreaterThanOrEqual(32);
        const attempt = async (credentials: string): Promise<string> => {
          const client = new Client({
            connectionString: `postgres://${credentials}@127.0.0.1:${embedded.port}/postgres`,
          });
          client.on('error', () => undefined);
          try {
            await client.connect();
            const [row] = (await client.query<{ ok: number }>('SELECT 1 AS ok')).rows;
            return `ok ${row?.ok}`;
          } catch (error) {
            return (error as Error).message;
          } finally {
            await client.end().catch(() => undefined);
          }
        };
        expect(await attempt('postgres:wrong-password')).toMatch(/password authentication failed/);
        expect(await attempt(`postgres:${password.slice(0, -1)}`)).toMatch(/password authentication failed/);
        expect(await attempt('postgres:')).not.toBe('ok 1');
        expect(await attempt(`postgres:${encodeURIComponent(password)}`)).toBe('ok 1');
        expect(embedded.url).toContain(encodeURIComponent(password));
      } finally {
        await embedded.stop();
      }
      // The same password after a restart: the CLI and the server agree on it.
      const again = await EmbeddedPostgres.start(dataDir);
      try {
        expect(again.url).toContain(
          encodeURIComponent(readFileSync(join(dataDir, 'embedded-db-password'), 'utf8').trim()),
        );
        const dataSource = await dataSourceFor(again.url, true);
        await dataSource.destroy();
      } finally {
        await again.stop();
      }
    });

    it('takes over a stale lock left by a process that died', async () => {
      const stale = mkdtempSync(join(tmpdir(), 'tapi-stale-'));
      writeFileSync(
        join(stale, 'transparency-api.lock'),
        JSON.stringify({ pid: 2 ** 22 + 1, host: '127.0.0.1', port: 1 }),
      );
      const embedded = await EmbeddedPostgres.start(stale);
      await embedded.stop();
    });

    it('refuses a data directory locked by another live process', async () => {
      const foreign = mkdtempSync(join(tmpdir(), 'tapi-locked-'));
      // PID 1 is always alive: the lock of a process that is still running.
      writeFileSync(join(foreign, 'transparency-api.lock'), JSON.stringify({ pid: 1, host: '127.0.0.1', port: 1 }));
      await expect(EmbeddedPostgres.start(foreign)).rejects.toBeInstanceOf(DataDirectoryLockedError);
      expect(EmbeddedPostgres.findRunning(foreign)).toBe('postgres://postgres@127.0.0.1:1/postgres');
    });
  });
});
