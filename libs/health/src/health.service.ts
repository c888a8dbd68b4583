import { performance } from 'node:perf_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { TypeOrmHealthIndicator, type HealthIndicatorResult } from '@nestjs/terminus';
import { ApiProblemException, AppLifecycle } from '@app/common';
import { RedisHealthIndicator } from '@app/redis';

export interface LivenessReport {
  status: 'ok';
  uptime_seconds: number;
  timestamp: string;
}

export type DependencyStatus = Record<string, unknown> & { status: 'up' | 'down' };

/**
 * What a probe shows per dependency: its status, how long the check took, whether it is
 * required, and numeric facts a contributor reports (the audit queue's depth). Never text:
 * a driver error names hosts, users and ports, so it goes to the log instead.
 */
export type PublicDependencyStatus = { status: 'up' | 'down'; latency_ms: number; required?: boolean } & Record<
  string,
  number | boolean | string
>;

export interface ReadinessReport {
  status: 'ok' | 'degraded';
  checks: Record<string, PublicDependencyStatus>;
  timestamp: string;
}

/**
 * Extra checks contributed by feature libraries (the audit queue, for one). `critical`
 * ones make readiness fail; the others only mark it degraded.
 */
export interface ReadinessContributor {
  readonly name: string;
  readonly critical: boolean;
  check(): Promise<DependencyStatus>;
}

const DATABASE_TIMEOUT_MS = 1500;

@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');
  /** The last failure logged per dependency: a probe every few seconds must not flood the log. */
  private readonly lastFailure = new Map<string, string>();

  constructor(
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly lifecycle: AppLifecycle,
  ) {}

  private readonly contributors: ReadinessContributor[] = [];

  /** Feature libraries add their own readiness checks at module init. */
  register(contributor: ReadinessContributor): void {
    this.contributors.push(contributor);
  }

  live(): LivenessReport {
    return { status: 'ok', uptime_seconds: Math.round(process.uptime()), timestamp: new Date().toISOString() };
  }

  /**
   * Postgres down or shutting down: 503. Redis down: 200 `degraded`, since every
   * feature falls back without it, and failing readiness on every replica at once would
   * turn a degradation into an outage (docs/operations.md).
   */
  async readiness(): Promise<ReadinessReport> {
    const [database, redis, ...extra] = await Promise.all([
      this.timed('database', async () =>
        toStatus(await this.database.pingCheck('database', { timeout: DATABASE_TIMEOUT_MS }), 'database'),
      ),
      this.timed('redis', async () => {
        const result = await this.redis.check('redis');
        // Not configured: nothing to report.
        return result ? toStatus(result, 'redis') : undefined;
      }),
      ...this.contributors.map((c) => this.timed(c.name, () => c.check())),
    ]);

    const checks: Record<string, PublicDependencyStatus> = { database };
    if (redis) checks.redis = { ...redis, required: false };
    this.contributors.forEach((c, i) => {
      checks[c.name] = extra[i];
    });

    const failing = [
      ...(database.status === 'down' ? ['database'] : []),
      ...this.contributors.filter((c, i) => c.critical && extra[i]?.status === 'down').map((c) => c.name),
    ];
    if (this.lifecycle.shuttingDown || failing.length > 0) {
      throw new ApiProblemException(
        {
          status: 503,
          detail: this.lifecycle.shuttingDown ? 'Shutting down.' : `Not ready: ${failing.join(', ')} unavailable.`,
          extensions: { checks, shutting_down: this.lifecycle.shuttingDown },
        },
        { 'Cache-Control': 'no-store', 'Retry-After': '5' },
      );
    }
    const degraded = Object.values(checks).some((c) => c.status === 'down');
    return { status: degraded ? 'degraded' : 'ok', checks, timestamp: new Date().toISOString() };
  }

  /**
   * Runs one check and reduces its result to what a probe may show (see
   * `PublicDependencyStatus`); the reason of a failure goes to the log, once per change.
   */
  private async timed(name: string, run: () => Promise<DependencyStatus>): Promise<PublicDependencyStatus>;
  private async timed(
    name: string,
    run: () => Promise<DependencyStatus | undefined>,
  ): Promise<PublicDependencyStatus | undefined>;
  private async timed(
    name: string,
    run: () => Promise<DependencyStatus | undefined>,
  ): Promise<PublicDependencyStatus | undefined> {
    const started = performance.now();
    let result: DependencyStatus;
    try {
      const outcome = await run();
      if (!outcome) return undefined;
      result = outcome;
    } catch (error) {
      result = { status: 'down', message: error instanceof Error ? error.message : String(error) };
    }
    const measured = Math.round((performance.now() - started) * 10) / 10;
    const reported = typeof result.latency_ms === 'number' ? result.latency_ms : measured;
    const visible: PublicDependencyStatus = { status: result.status === 'up' ? 'up' : 'down', latency_ms: reported };
    const hidden: string[] = [];
    for (const [key, value] of Object.entries(result)) {
      if (key === 'status' || key === 'latency_ms') continue;
      if (typeof value === 'number' || typeof value === 'boolean') visible[key] = value;
      else if (value !== undefined && value !== null)
        hidden.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
    this.logTransition(name, visible.status, hidden.join(' '));
    return visible;
  }

  private logTransition(name: string, status: 'up' | 'down', reason: string): void {
    const previous = this.lastFailure.get(name);
    if (status === 'up') {
      if (previous !== undefined) this.logger.log(`Health: ${name} is up again`);
      this.lastFailure.delete(name);
      return;
    }
    if (previous === reason) return;
    this.lastFailure.set(name, reason);
    this.logger.warn(`Health: ${name} is down${reason ? ` (${reason})` : ''}`);
  }
}

function toStatus(result: HealthIndicatorResult, key: string): DependencyStatus {
  const entry = result[key] as DependencyStatus | undefined;
  return entry ?? { status: 'down' };
}
