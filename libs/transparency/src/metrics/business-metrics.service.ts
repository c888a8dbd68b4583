import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Metric, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { toNumber } from '../shared/columns';

const REFRESH_INTERVAL_MS = 30_000;
/** Distinct `model_name` label values kept; later names share `other`: labels stay bounded (docs/observability.md). */
export const MAX_MODEL_NAME_LABELS = 20;
export const OTHER_MODEL_LABEL = 'other';
/**
 * Model names are client-supplied: without a cap, an ingest of 10,000 invented names would
 * make 10,000 series in every scrape. The first names seen by this process keep their
 * own series; process-wide, like the counter itself.
 */
const modelLabels = new Set<string>();

function modelLabel(name: string): string {
  if (modelLabels.has(name)) return name;
  if (modelLabels.size >= MAX_MODEL_NAME_LABELS) return OTHER_MODEL_LABEL;
  modelLabels.add(name);
  return name;
}

/** Several app instances may live in one process (tests): a metric is created once per registry. */
function singleton<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

/**
 * The business metrics (docs/observability.md) on prom-client's default registry (the one /metrics
 * exposes). Gauges are refreshed from the data after every write and periodically, with
 * two indexed queries; the AI counter and histogram are fed by ingests.
 */
@Injectable()
export class BusinessMetrics {
  private readonly logger = new Logger('BusinessMetrics');

  readonly equity = singleton(
    'portfolio_equity',
    () => new Gauge({ name: 'portfolio_equity', help: 'Total equity of the latest performance snapshot' }),
  );
  readonly pnl = singleton(
    'portfolio_pnl',
    () => new Gauge({ name: 'portfolio_pnl', help: 'Total PnL of the latest performance snapshot' }),
  );
  readonly activePositions = singleton(
    'active_positions',
    () => new Gauge({ name: 'active_positions', help: 'Number of open positions' }),
  );
  readonly predictions = singleton(
    'ai_predictions_total',
    () =>
      new Counter({
        name: 'ai_predictions_total',
        help: 'AI predictions ingested, and outcome changes recorded, by model and outcome',
        labelNames: ['model_name', 'outcome'] as const,
      }),
  );
  readonly confidence = singleton(
    'ai_prediction_confidence',
    () =>
      new Histogram({
        name: 'ai_prediction_confidence',
        help: 'Confidence (0-1) of ingested AI predictions',
        buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      }),
  );

  constructor(private readonly dataSource: DataSource) {}

  recordPrediction(modelName: string, outcome: string, confidence?: number): void {
    this.predictions.inc({ model_name: modelLabel(modelName), outcome });
    if (confidence !== undefined) this.confidence.observe(confidence);
  }

  /** Never throws: a metrics refresh must not fail a write or crash the timer. */
  async refresh(): Promise<void> {
    try {
      if (!this.dataSource.isInitialized) return;
      const [latest] = await this.dataSource.query<{ total_equity: string; total_pnl: string }[]>(
        'SELECT total_equity, total_pnl FROM performance_snapshots ORDER BY "timestamp" DESC LIMIT 1',
      );
      const [positions] = await this.dataSource.query<
        {
          n: number;
        }[]
      >('SELECT count(*)::int AS n FROM positions');
      this.equity.set(toNumber(latest?.total_equity) ?? 0);
      this.pnl.set(toNumber(latest?.total_pnl) ?? 0);
      this.activePositions.set(positions?.n ?? 0);
    } catch (error) {
      this.logger.debug(`metrics refresh skipped: ${(error as Error).message}`);
    }
  }
}

/** API only (the CLI may run before migrations): keeps the gauges fresh between writes. */
@Injectable()
export class BusinessMetricsRefresher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(private readonly metrics: BusinessMetrics) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.metrics.refresh();
    this.timer = setInterval(() => void this.metrics.refresh(), REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
