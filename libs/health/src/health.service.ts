import { Injectable } from '@nestjs/common';
import { TypeOrmHealthIndicator, type HealthIndicatorResult } from '@nestjs/terminus';
import { ApiProblemException, AppLifecycle } from '@app/common';
import { RedisHealthIndicator } from '@app/redis';

export interface LivenessReport {
  status: 'ok';
  uptime_seconds: number;
  timestamp: string;
}

export type DependencyStatus = Record<string, unknown> & { status: 'up' | 'down' };

export interface ReadinessReport {
  status: 'ok' | 'degraded';
  checks: Record<string, DependencyStatus>;
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
   * turn a degradation into an outage (SPEC §7).
   */
  async readiness(): Promise<ReadinessReport> {
    const [database, redis, ...extra] = await Promise.all([
      this.settle('database', () => this.database.pingCheck('database', { timeout: DATABASE_TIMEOUT_MS })),
      this.redis.check('redis').then((r) => (r ? toStatus(r, 'redis') : undefined)),
      ...this.contributors.map((c) => c.check().catch((): DependencyStatus => ({ status: 'down' }))),
    ]);

    const checks: Record<string, DependencyStatus> = { database };
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

  private async settle(key: string, run: () => Promise<HealthIndicatorResult>): Promise<DependencyStatus> {
    try {
      return toStatus(await run(), key);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'unavailable';
      return { status: 'down', message };
    }
  }
}

function toStatus(result: HealthIndicatorResult, key: string): DependencyStatus {
  const entry = result[key] as DependencyStatus | undefined;
  return entry ?? { status: 'down' };
}
