import type { Server } from 'node:http';
import { join } from 'node:path';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { OnAppEvent, type SecurityEvent } from '@app/common';
import { AppConfig } from '@app/config';
import { HealthService } from '@app/health';
import { getOrCreateCounter, getOrCreateGauge } from '@app/metrics';
import { type CompletedRequest, RequestObserver } from '@app/observability';
import { AuditChainKey, type AuditEntry, storableDetail, storableString } from './audit-chain';
import { AuditSpill } from './audit-spill';
import { timeOrderedUuid } from './audit-id';
import { AuditStore } from './audit-store';

export const HTTP_REQUEST_EVENT = 'http.request';
const MAX_RETRY_DELAY_MS = 5000;

/** Every live queue in this process (replicas in one test process share the gauge). */
const liveQueues = new Set<AuditService>();

const written = getOrCreateCounter({
  name: 'audit_events_written_total',
  help: 'Audit records written to Postgres.',
});
const dropped = getOrCreateCounter({
  name: 'audit_events_dropped_total',
  help: 'Audit records lost: spill past AUDIT_SPILL_MAX_BYTES, spill file unwritable, or a line torn by a crash.',
});
/** A drop is logged at once, then at most this often while drops continue. */
const DROP_LOG_INTERVAL_MS = 10_000;
/** What a failed login's typed username is stored as when it names no known account. */
export const UNKNOWN_USER_ACTOR = 'unknown-user';
getOrCreateGauge({
  name: 'audit_queue_depth',
  help: 'Audit records waiting to be written (memory queue plus spill file).',
  collect() {
    let depth = 0;
    for (const queue of liveQueues) depth += queue.depth;
    this.set(depth);
  },
});

/**
 * The audit trail's write side (docs/observability.md): records are queued in memory and written in
 * batches off the request path. A full queue spills to an append-only file under DATA_DIR
 * instead of blocking or dropping; while Postgres is down, records wait (memory, then
 * file) and are written when it returns; shutdown flushes everything.
 */
@Injectable()
export class AuditService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly memory: AuditEntry[] = [];
  private readonly spill: AuditSpill;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<boolean>;
  private failures = 0;
  /** Entries at the head of `memory` sent in a write whose outcome is unknown (it failed). */
  private unconfirmed = 0;
  private retryAt = 0;
  private lastError?: string;
  private ready?: Promise<void>;
  private droppedSinceLog = 0;
  private lastDropLog = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly store: AuditStore,
    private readonly key: AuditChainKey,
    private readonly adapterHost: HttpAdapterHost,
    // Absent in the CLI, which has no HTTP surface but still audits its security events.
    @Optional() private readonly observer?: RequestObserver,
    @Optional() private readonly health?: HealthService,
  ) {
    this.spill = new AuditSpill(
      join(config.database.dataDir, 'audit-spill'),
      config.audit.queueMax,
      config.audit.spillMaxBytes,
      (error, lost) => {
        dropped.inc(lost);
        this.logger.error(`Audit spill file write failed, ${lost} records lost: ${error.message}`);
      },
    );
  }

  /** Records waiting: memory queue plus spill file. */
  get depth(): number {
    return this.memory.length + this.spill.depth;
  }

  onModuleInit(): void {
    liveQueues.add(this);
    this.ready = this.spill.open().catch((error: Error) => {
      // Records still go to memory and Postgres; only the overflow path is unavailable.
      this.logger.error(`Audit spill directory unusable: ${error.message}`);
    });
    this.observer?.onRequestCompleted((request) => {
      this.record(requestEntry(request));
    });
    this.health?.register({
      name: 'audit_queue',
      critical: false,
      check: () =>
        Promise.resolve({
          // Down (readiness "degraded") while writes fail: records are safe but late.
          status: this.failures > 0 ? 'down' : 'up',
          depth: this.depth,
          memory: this.memory.length,
          spilled: this.spill.depth,
          capacity: this.config.audit.queueMax,
          ...(this.lastError ? { last_error: this.lastError } : {}),
        }),
    });
    this.timer = setInterval(() => void this.kick(), this.config.audit.flushIntervalMs);
    this.timer.unref();
    // Whatever an earlier process spilled and never wrote.
    void this.ready.then(() => this.kick());
  }

  @OnAppEvent('security.event')
  onSecurityEvent(event: SecurityEvent): void {
    this.record(securityEntry(event, this.key));
  }

  /**
   * Never blocks and never throws: memory while there is room, else the spill file; past
   * AUDIT_SPILL_MAX_BYTES the record is dropped, counted and logged (and alerted on).
   */
  record(entry: AuditEntry): void {
    if (this.memory.length < this.config.audit.queueMax) {
      this.memory.push(entry);
      if (this.memory.length >= this.config.audit.batchSize) void this.kick();
    } else if (!this.spill.append(entry)) {
      this.drop(1);
    }
  }

  private drop(count: number): void {
    dropped.inc(count);
    this.droppedSinceLog += count;
    if (Date.now() - this.lastDropLog >= DROP_LOG_INTERVAL_MS) this.reportDrops();
  }

  /** Logs the drops not yet reported (also when writes resume and at shutdown, so none goes unlogged). */
  private reportDrops(): void {
    if (this.droppedSinceLog === 0) return;
    const now = Date.now();
    this.logger.error(
      `Audit records dropped: ${this.droppedSinceLog} since the last report, the spill under ` +
        `${this.spill.directory} having reached AUDIT_SPILL_MAX_BYTES (${this.config.audit.spillMaxBytes}) ` +
        `while Postgres was not taking writes${this.lastError ? ` (last error: ${this.lastError})` : ''}`,
    );
    this.lastDropLog = now;
    this.droppedSinceLog = 0;
  }

  /**
   * Writes everything waiting. Resolves true when the queue and the spill file are empty,
   * false when Postgres refused (the records stay queued for the next attempt).
   */
  async flush(): Promise<boolean> {
    await this.ready;
    for (;;) {
      if (this.flushing) await this.flushing;
      this.retryAt = 0;
      const ok = await this.kick();
      if (!ok) return false;
      if (this.depth === 0) return true;
    }
  }

  /**
   * Nest closes the HTTP server after this hook and TypeORM's pool before ours runs
   * (`onApplicationShutdown`), so the listener is closed here first: once in-flight
   * requests have finished, no request record can arrive after the final flush.
   */
  async beforeApplicationShutdown(): Promise<void> {
    // Bounded: a request that never ends must not cost the records of all the others,
    // which are flushed (or spilled) well before the process's shutdown deadline.
    await stopAccepting(
      this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined,
      Math.round(this.config.http.shutdownTimeoutMs * 0.6),
    );
    if (this.timer) clearInterval(this.timer);
    const flushed = await this.flush().catch(() => false);
    if (!flushed) await this.spillEverything();
  }

  /** Late records (nothing should arrive now) go to the spill file for the next start. */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.spillEverything();
    this.reportDrops();
    liveQueues.delete(this);
  }

  private async spillEverything(): Promise<void> {
    if (this.flushing) await this.flushing.catch(() => false);
    let lost = 0;
    for (const entry of this.memory.splice(0)) if (!this.spill.append(entry)) lost++;
    this.unconfirmed = 0;
    if (lost > 0) this.drop(lost);
    await this.spill.seal();
    if (this.spill.depth > 0) {
      this.logger.warn(`${this.spill.depth} audit records kept in ${this.spill.directory} for the next start`);
    }
  }

  /** One flush pass at a time; a pass after a failure waits for the backoff. */
  private kick(): Promise<boolean> {
    if (this.flushing) return this.flushing;
    if (Date.now() < this.retryAt) return Promise.resolve(false);
    this.flushing = this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<boolean> {
    try {
      while (this.memory.length > 0) {
        const batch = this.memory.slice(0, this.config.audit.batchSize);
        // Until a write of the queue's head is known to have failed, none of it can be stored.
        const mayBeStored = this.unconfirmed > 0;
        this.unconfirmed = Math.max(this.unconfirmed, batch.length);
        written.inc(await this.store.append(batch, { mayBeStored }));
        this.memory.splice(0, batch.length);
        this.unconfirmed = Math.max(0, this.unconfirmed - batch.length);
      }
      for (let segment = await this.spill.oldest(); segment; segment = await this.spill.oldest()) {
        for (let start = 0; start < segment.entries.length; start += this.config.audit.batchSize) {
          written.inc(await this.store.append(segment.entries.slice(start, start + this.config.audit.batchSize)));
        }
        if (segment.unreadable > 0) dropped.inc(segment.unreadable);
        await this.spill.remove(segment);
        // Fresh records first: the spill must not starve the memory queue.
        if (this.memory.length >= this.config.audit.batchSize) break;
      }
      this.reportDrops();
      if (this.failures > 0) this.logger.log('Audit writes resumed');
      this.failures = 0;
      this.lastError = undefined;
      return true;
    } catch (error) {
      this.failures++;
      this.lastError = error instanceof Error ? error.message.slice(0, 200) : String(error);
      const delay = Math.min(
        this.config.audit.flushIntervalMs * 2 ** Math.min(this.failures - 1, 10),
        MAX_RETRY_DELAY_MS,
      );
      this.retryAt = Date.now() + delay;
      if (this.failures === 1) this.logger.warn(`Audit write failed, records kept queued: ${this.lastError}`);
      return false;
    }
  }
}

async function stopAccepting(server: Server | undefined, timeoutMs: number): Promise<void> {
  if (!server?.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // close() waits for idle keep-alive connections too; in-flight requests still finish.
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  clearInterval(sweeper);
}

function requestEntry(r: CompletedRequest): AuditEntry {
  return {
    id: timeOrderedUuid(),
    occurredAt: r.startedAt,
    requestId: storableString(r.requestId, 128),
    actor: storableString(r.actor, 255),
    tokenId: r.tokenId ? storableString(r.tokenId, 128) : null,
    ip: r.ip ? storableString(r.ip, 64) : null,
    method: storableString(r.method, 16),
    route: r.route ? storableString(r.route, 255) : null,
    path: storableString(r.path, 2048),
    status: r.status,
    durationMs: Math.min(r.durationMs, 999_999_999).toFixed(3),
    userAgent: r.userAgent ? storableString(r.userAgent, 512) : null,
    event: HTTP_REQUEST_EVENT,
    detail:
      r.traceId || r.aborted
        ? { ...(r.traceId ? { trace_id: r.traceId } : {}), ...(r.aborted ? { aborted: true } : {}) }
        : null,
  };
}

/** Login events whose actor is a username typed by the client, not an authenticated one. */
const CLAIMED_ACTOR_EVENTS = new Set<SecurityEvent['type']>(['login.failure', 'login.lockout']);
/** Failure reasons that prove the typed username is an account's. */
const KNOWN_ACCOUNT_REASONS = new Set<unknown>(['wrong_password', 'disabled']);

/**
 * The actor of a security event. A username typed at a failed login is stored only when it
 * names an account (a wrong password, a disabled user): an unknown one may be a password
 * typed in the wrong field, so it becomes `unknown-user`. A lock-out is decided before the
 * account is looked up, so it is recorded the same way. Every login failure and lock-out
 * carries `username_fingerprint`, a keyed hash of the lower-cased name, so the attempts on
 * one name can still be told apart and correlated.
 */
function securityActor(e: SecurityEvent, key: AuditChainKey): { actor: string; fingerprint?: string } {
  const actor = typeof e.actor === 'string' && e.actor.length > 0 ? e.actor : 'anonymous';
  if (!CLAIMED_ACTOR_EVENTS.has(e.type)) return { actor };
  const fingerprint = key.fingerprint(actor.toLowerCase());
  const known = e.type === 'login.failure' && KNOWN_ACCOUNT_REASONS.has(e.detail?.reason);
  return { actor: known ? actor : UNKNOWN_USER_ACTOR, fingerprint };
}

function securityEntry(e: SecurityEvent, key: AuditChainKey): AuditEntry {
  const { actor, fingerprint } = securityActor(e, key);
  const detail = fingerprint ? { ...e.detail, username_fingerprint: fingerprint } : e.detail;
  return {
    id: timeOrderedUuid(),
    occurredAt: e.occurredAt instanceof Date && !Number.isNaN(e.occurredAt.getTime()) ? e.occurredAt : new Date(),
    requestId: e.requestId ? storableString(e.requestId, 128) : null,
    actor: storableString(actor, 255),
    tokenId: e.tokenId ? storableString(e.tokenId, 128) : null,
    ip: e.ip ? storableString(e.ip, 64) : null,
    method: null,
    route: null,
    path: null,
    status: null,
    durationMs: null,
    userAgent: null,
    event: storableString(e.type, 64),
    detail: storableDetail(detail),
  };
}
