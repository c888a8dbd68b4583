import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PasswordGate } from './password-gate';

/** Written into the data directory while a process owns it; the CLI reads it to reach the server. */
export interface EmbeddedLock {
  pid: number;
  host: string;
  port: number;
  started_at: string;
}

export class DataDirectoryLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: EmbeddedLock,
  ) {
    super(
      `The data directory ${dataDir} is in use by process ${holder.pid}` +
        (holder.port ? ` (embedded Postgres on ${holder.host}:${holder.port})` : '') +
        '. Stop that process, or point DATA_DIR elsewhere.',
    );
    this.name = 'DataDirectoryLockedError';
  }
}

const LOCK_FILE = 'transparency-api.lock';
/** The embedded database's generated password, 0600: the CLI reads it to reach a running server. */
export const EMBEDDED_PASSWORD_FILE = 'embedded-db-password';
/** Data directories this process holds, to tell its own live lock from a stale one of an earlier process with the same pid (containers reuse pid 1). */
const heldHere = new Set<string>();
const PG_SUBDIR = 'pgdata';
const HOST = '127.0.0.1';

/**
 * The zero-setup database: PGlite persisted under DATA_DIR, served on loopback through
 * pglite-socket so the application talks to it with the ordinary `pg` driver. PGlite is
 * single-session: the socket server's queue keeps a transaction's statements together, and
 * the application's pool of one keeps requests from interleaving. The loopback port asks for
 * a generated password (`PasswordGate`), since PGlite itself accepts any.
 */
export class EmbeddedPostgres {
  private constructor(
    readonly dataDir: string,
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly gate: PasswordGate,
    private readonly socketDir: string,
    private readonly password: string,
    readonly port: number,
  ) {}

  get url(): string {
    return embeddedUrl(HOST, this.port, this.password);
  }

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const lockPath = join(dataDir, LOCK_FILE);
    acquireLock(lockPath, dataDir);
    try {
      // Both packages are ESM-first with CommonJS builds; loaded lazily so that
      // deployments on an external DATABASE_URL never pay for the WASM runtime.
      const { PGlite } = await import('@electric-sql/pglite');
      const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
      const password = embeddedPassword(dataDir);
      const db = await PGlite.create(join(dataDir, PG_SUBDIR));
      // PGlite listens on a Unix socket only this user can reach (a short path: sockets have a
      // ~100-byte limit, so not under DATA_DIR); the password gate is what loopback sees.
      const socketDir = mkdtempSync(join(tmpdir(), 'tapi-pg-'));
      const socketPath = join(socketDir, '.s.PGSQL');
      // A few connections: the app's pool of one, plus the CLI while the server runs.
      const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 8 });
      await server.start();
      const gate = new PasswordGate(password, socketPath);
      const port = await gate.listen(HOST);
      writeLock(lockPath, { pid: process.pid, host: HOST, port, started_at: new Date().toISOString() });
      return new EmbeddedPostgres(dataDir, db, server, gate, socketDir, password, port);
    } catch (error) {
      releaseLock(lockPath);
      throw error;
    }
  }

  /** The URL of the embedded server another live process is running on `dataDir`, if any. */
  static findRunning(dataDir: string): string | undefined {
    const holder = readLock(join(dataDir, LOCK_FILE));
    if (!holder || !holder.port || !isAlive(holder.pid) || holder.pid === process.pid) return undefined;
    return embeddedUrl(holder.host, holder.port, readPassword(dataDir));
  }

  async stop(): Promise<void> {
    try {
      await this.gate.close();
      await this.server.stop();
      await this.db.close();
    } finally {
      rmSync(this.socketDir, { recursive: true, force: true });
      releaseLock(join(this.dataDir, LOCK_FILE));
    }
  }
}

function embeddedUrl(host: string, port: number, password: string | undefined): string {
  const credentials = password ? `postgres:${encodeURIComponent(password)}` : 'postgres';
  return `postgres://${credentials}@${host}:${port}/postgres`;
}

function readPassword(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, EMBEDDED_PASSWORD_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The data directory's password, generated (and stored 0600) on first use. */
function embeddedPassword(dataDir: string): string {
  const existing = readPassword(dataDir);
  if (existing) return existing;
  const password = randomBytes(24).toString('base64url');
  writeFileSync(join(dataDir, EMBEDDED_PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
  return password;
}

function acquireLock(lockPath: string, dataDir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeFileSync(
        fd,
        JSON.stringify({ pid: process.pid, host: HOST, port: 0, started_at: new Date().toISOString() }),
      );
      closeSync(fd);
      heldHere.add(lockPath);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(lockPath);
      const heldByUs = holder?.pid === process.pid && heldHere.has(lockPath);
      const heldByOther = holder !== undefined && holder.pid !== process.pid && isAlive(holder.pid);
      if (holder && (heldByUs || heldByOther)) throw new DataDirectoryLockedError(dataDir, holder);
      // A crashed process left its lock behind: take it over.
      unlinkSync(lockPath);
    }
  }
  throw new Error(`Could not acquire ${lockPath}`);
}

function writeLock(lockPath: string, lock: EmbeddedLock): void {
  writeFileSync(lockPath, JSON.stringify(lock), { mode: 0o600 });
}

function readLock(lockPath: string): EmbeddedLock | undefined {
  if (!existsSync(lockPath)) return undefined;
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as EmbeddedLock;
  } catch {
    return undefined;
  }
}

function releaseLock(lockPath: string): void {
  if (!heldHere.delete(lockPath)) return;
  if (readLock(lockPath)?.pid === process.pid) unlinkSync(lockPath);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
