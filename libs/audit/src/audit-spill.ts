import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry } from './audit-chain';

const PREFIX = 'segment-';
const SUFFIX = '.ndjson';

interface OpenSegment {
  name: string;
  stream: WriteStream;
  lines: number;
}

/** Ends a segment's stream, then forces its content to disk: a sealed segment survives a power cut. */
async function sealStream(path: string, stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve) => stream.end(resolve));
  if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', resolve));
  // fsync applies to the file, not the descriptor: a fresh one flushes what the stream wrote.
  const handle = await open(path, 'r+').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface SpilledSegment {
  name: string;
  entries: AuditEntry[];
  /** Lines that could not be parsed (a write torn by a crash). */
  unreadable: number;
}

function revive(line: string): AuditEntry | undefined {
  try {
    const raw = JSON.parse(line) as AuditEntry & { occurredAt: string };
    if (typeof raw.id !== 'string' || typeof raw.event !== 'string') return undefined;
    return { ...raw, occurredAt: new Date(raw.occurredAt) };
  } catch {
    return undefined;
  }
}

/**
 * Where records go when the memory queue is full (a Postgres outage, a burst faster than
 * the database): append-only NDJSON segments under DATA_DIR, each at most `segmentMax`
 * lines so that draining one back never needs more memory than the queue itself, all
 * together at most `maxBytes` (AUDIT_SPILL_MAX_BYTES) so that an outage cannot fill the
 * disk. A segment is fsynced when it is sealed. Segments left by a crashed process are
 * found and drained at the next start.
 */
export class AuditSpill {
  private current?: OpenSegment;
  private counter = 0;
  private pending = 0;
  /** Bytes of every segment on disk, by name (what earlier processes left included). */
  private readonly sizes = new Map<string, number>();
  private totalBytes = 0;
  /** Rotated-out segments whose last writes may still be in flight. */
  private readonly closing = new Map<string, Promise<void>>();

  constructor(
    readonly directory: string,
    private readonly segmentMax: number,
    private readonly maxBytes: number,
    private readonly onWriteError: (error: Error, lost: number) => void,
  ) {}

  /** Records spilled and not yet written to Postgres. */
  get depth(): number {
    return this.pending;
  }

  /** Bytes the segments take on disk. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Counts what earlier processes left behind. */
  async open(): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    for (const name of await this.segmentNames()) {
      const path = join(this.directory, name);
      const text = await readFile(path, 'utf8').catch(() => '');
      this.pending += text.split('\n').filter((l) => l.length > 0).length;
      this.grow(name, (await stat(path).catch(() => undefined))?.size ?? 0);
    }
  }

  /**
   * Never throws and never waits: a write error is reported through `onWriteError`.
   * Returns false, writing nothing, when the record would take the spill past `maxBytes`.
   */
  append(entry: AuditEntry): boolean {
    const line = `${JSON.stringify(entry)}\n`;
    const size = Buffer.byteLength(line);
    if (this.totalBytes + size > this.maxBytes) return false;
    if (!this.current || this.current.lines >= this.segmentMax) this.rotate();
    const segment = this.current!;
    segment.stream.write(line);
    segment.lines++;
    this.pending++;
    this.grow(segment.name, size);
    return true;
  }

  /** Closes the segment being written and forces it to disk, so that its content is complete. */
  async seal(): Promise<void> {
    const segment = this.current;
    this.current = undefined;
    if (!segment) return;
    await sealStream(join(this.directory, segment.name), segment.stream);
    await Promise.all(this.closing.values());
  }

  private grow(name: string, bytes: number): void {
    this.sizes.set(name, (this.sizes.get(name) ?? 0) + bytes);
    this.totalBytes += bytes;
  }

  private forget(name: string): void {
    this.totalBytes = Math.max(0, this.totalBytes - (this.sizes.get(name) ?? 0));
    this.sizes.delete(name);
  }

  /** The oldest segment, read whole; the open one is sealed first if it is the oldest. */
  async oldest(): Promise<SpilledSegment | undefined> {
    let names = await this.segmentNames();
    if (names.length === 0 && (this.current || this.closing.size > 0)) {
      // Streams open their file asynchronously: records may be written before it is listed.
      await this.seal();
      names = await this.segmentNames();
    }
    const name = names[0];
    if (name === undefined) return undefined;
    if (this.current?.name === name) await this.seal();
    await this.closing.get(name);
    let text: string;
    try {
      text = await readFile(join(this.directory, name), 'utf8');
    } catch (error) {
      // Another process sharing DATA_DIR (the CLI beside the API) drained it first.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.oldest();
      throw error;
    }
    const entries: AuditEntry[] = [];
    let unreadable = 0;
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      const entry = revive(line);
      if (entry) entries.push(entry);
      else unreadable++;
    }
    return { name, entries, unreadable };
  }

  /** After its records are in Postgres. */
  async remove(segment: SpilledSegment): Promise<void> {
    await unlink(join(this.directory, segment.name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    this.pending = Math.max(0, this.pending - segment.entries.length - segment.unreadable);
    this.forget(segment.name);
  }

  private rotate(): void {
    const previous = this.current;
    if (previous) {
      const closed = sealStream(join(this.directory, previous.name), previous.stream)
        .catch(() => undefined)
        .finally(() => this.closing.delete(previous.name));
      this.closing.set(previous.name, closed);
    }
    // Names sort in creation order: a fixed-width time, then a per-process counter.
    const name = `${PREFIX}${String(Date.now()).padStart(15, '0')}-${String(process.pid).padStart(7, '0')}-${String(this.counter++).padStart(9, '0')}${SUFFIX}`;
    const stream = createWriteStream(join(this.directory, name), { flags: 'a', mode: 0o600 });
    const segment: OpenSegment = { name, stream, lines: 0 };
    stream.on('error', (error) => {
      const lost = segment.lines;
      this.pending = Math.max(0, this.pending - lost);
      this.forget(segment.name);
      this.onWriteError(error, lost);
      if (this.current === segment) this.current = undefined;
    });
    this.current = segment;
  }

  private async segmentNames(): Promise<string[]> {
    try {
      return (await readdir(this.directory)).filter((n) => n.startsWith(PREFIX) && n.endsWith(SUFFIX)).sort();
    } catch {
      return [];
    }
  }
}
