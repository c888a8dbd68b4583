import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AiDecision } from '../ai/ai-decision.entity';
import { Backtest } from '../backtests/backtest.entity';
import { CACHE_TTL_SECONDS, type CacheFamily } from '../cache/cache-families';
import { TransparencyCache } from '../cache/transparency-cache.service';
import { BusinessMetrics } from '../metrics/business-metrics.service';
import { PerformanceSnapshot } from '../performance/performance-snapshot.entity';
import { Position } from '../positions/position.entity';
import { insertIgnoringDuplicates } from '../shared/ingest';
import { TradeEvent } from '../trades/trade-event.entity';
import { type DemoOptions, generateDemoData } from './demo-generator';

export interface SeedReport {
  inserted: Record<'snapshots' | 'trades' | 'positions' | 'decisions' | 'backtests', number>;
  generated: number;
  elapsedMs: number;
}

/** Loads the deterministic demo data set (docs/transparency.md) in one transaction, idempotently. */
@Injectable()
export class DemoDataService {
  private readonly logger = new Logger('DemoData');
  /** What the startup load did, if it ran (reported by tests and logs). */
  lastStartupLoad?: SeedReport;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: TransparencyCache,
    private readonly metrics: BusinessMetrics,
  ) {}

  /** True when no transparency data exists yet (the only time startup loads the demo set). */
  async isEmpty(): Promise<boolean> {
    const [row] = await this.dataSource.query<{ empty: boolean }[]>(
      `SELECT NOT EXISTS (SELECT 1 FROM performance_snapshots)
          AND NOT EXISTS (SELECT 1 FROM trade_events)
          AND NOT EXISTS (SELECT 1 FROM ai_decisions)
          AND NOT EXISTS (SELECT 1 FROM backtests)
          AND NOT EXISTS (SELECT 1 FROM positions) AS empty`,
    );
    return row?.empty ?? false;
  }

  async seed(options: DemoOptions = {}): Promise<SeedReport> {
    const started = performance.now();
    const data = generateDemoData(options);
    const inserted = await this.dataSource.transaction(async (manager) => ({
      snapshots: (await insertIgnoringDuplicates(manager, PerformanceSnapshot, data.snapshots)).length,
      trades: (await insertIgnoringDuplicates(manager, TradeEvent, data.trades)).length,
      positions: (await insertIgnoringDuplicates(manager, Position, data.positions, 'symbol')).length,
      decisions: (await insertIgnoringDuplicates(manager, AiDecision, data.decisions)).length,
      backtests: (await insertIgnoringDuplicates(manager, Backtest, data.backtests)).length,
    }));
    await this.cache.invalidate(Object.keys(CACHE_TTL_SECONDS) as CacheFamily[]);
    await this.metrics.refresh();
    const generated =
      data.snapshots.length +
      data.trades.length +
      data.positions.length +
      data.decisions.length +
      data.backtests.length;
    return { inserted, generated, elapsedMs: Math.round(performance.now() - started) };
  }

  /** Startup: with DEMO_DATA on and an empty database, load the set before the app reports ready. */
  async loadIfEmpty(): Promise<SeedReport | undefined> {
    if (!(await this.isEmpty())) return undefined;
    const report = await this.seed();
    this.lastStartupLoad = report;
    const total = Object.values(report.inserted).reduce((a, b) => a + b, 0);
    this.logger.log(`Loaded demo data: ${total} rows in ${report.elapsedMs} ms (DEMO_DATA=true, empty database)`);
    return report;
  }
}
