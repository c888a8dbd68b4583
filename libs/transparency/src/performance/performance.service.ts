import { Injectable } from '@nestjs/common';
import { StreamOutbox } from '@app/stream';
import { DataSource } from 'typeorm';
import { INVALIDATES } from '../cache/cache-families';
import { TransparencyCache } from '../cache/transparency-cache.service';
import { BusinessMetrics } from '../metrics/business-metrics.service';
import { toPortfolioDto } from '../positions/portfolio.service';
import { Position } from '../positions/position.entity';
import { type IngestResultDto, insertReturningStored } from '../shared/ingest';
import { windowStart } from '../shared/time';
import { computePerformance, type EquityPoint } from './performance.math';
import type {
  CurveInterval,
  CurvePeriod,
  EquityCurveDto,
  PerformanceDto,
  PerformancePeriod,
  SnapshotIngestItemDto,
} from './performance.dto';
import { INTERVAL_SECONDS } from './performance.dto';
import { PerformanceSnapshot } from './performance-snapshot.entity';

interface EquityRow {
  timestamp: Date;
  equity: string;
}

@Injectable()
export class PerformanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: TransparencyCache,
    private readonly metrics: BusinessMetrics,
    private readonly outbox: StreamOutbox,
  ) {}

  async performance(period: PerformancePeriod, now = new Date()): Promise<PerformanceDto> {
    const start = windowStart(period, now);
    const series = await this.equitySeries(start);
    const closed = await this.dataSource.query<{ realized_pnl: string }[]>(
      `SELECT realized_pnl FROM trade_events
        WHERE event_type = 'position_closed' AND realized_pnl IS NOT NULL AND ($1::timestamptz IS NULL OR "timestamp" >= $1)`,
      [start],
    );
    return {
      period,
      ...computePerformance(
        series,
        closed.map((r) => Number(r.realized_pnl)),
      ),
      timestamp: now.toISOString(),
    };
  }

  /** Baseline (last snapshot at or before the start, else the first in the window), then the window. */
  private async equitySeries(start: Date | null): Promise<EquityPoint[]> {
    const baseline = start
      ? await this.dataSource.query<EquityRow[]>(
          `SELECT "timestamp", total_equity AS equity FROM performance_snapshots
            WHERE "timestamp" <= $1 ORDER BY "timestamp" DESC LIMIT 1`,
          [start],
        )
      : [];
    const window = await this.dataSource.query<EquityRow[]>(
      `SELECT "timestamp", total_equity AS equity FROM performance_snapshots
        WHERE ($1::timestamptz IS NULL OR "timestamp" > $1) ORDER BY "timestamp" ASC`,
      [start],
    );
    return [...baseline, ...window].map((row) => ({ time: row.timestamp.getTime(), equity: Number(row.equity) }));
  }

  /** One point per non-empty UTC-aligned bucket (its start, its last equity), ascending, bucketed in SQL. */
  async equityCurve(period: CurvePeriod, interval: CurveInterval, now = new Date()): Promise<EquityCurveDto> {
    const start = windowStart(period, now);
    const seconds = INTERVAL_SECONDS[interval];
    const rows = await this.dataSource.query<{ bucket: Date; equity: string }[]>(
      `SELECT to_timestamp(floor(extract(epoch FROM "timestamp") / $1) * $1) AS bucket,
              (array_agg(total_equity ORDER BY "timestamp" DESC))[1] AS equity
         FROM performance_snapshots
        WHERE ($2::timestamptz IS NULL OR "timestamp" >= $2)
        GROUP BY bucket
        ORDER BY bucket ASC`,
      [seconds, start],
    );
    const data = rows.map((row) => ({ timestamp: row.bucket.toISOString(), equity: Number(row.equity) }));
    return {
      period,
      interval,
      data,
      initial_equity: data[0]?.equity ?? 0,
      current_equity: data[data.length - 1]?.equity ?? 0,
      timestamp: now.toISOString(),
    };
  }

  async ingest(items: SnapshotIngestItemDto[]): Promise<IngestResultDto> {
    const rows: Partial<PerformanceSnapshot>[] = items.map((item) => ({
      id: item.id.toLowerCase(),
      timestamp: new Date(item.timestamp),
      totalEquity: item.total_equity,
      cashBalance: item.cash_balance,
      invested: item.invested,
      totalPnl: item.total_pnl,
      totalPnlPercent: item.total_pnl_percent,
      dayPnl: item.day_pnl,
      dayPnlPercent: item.day_pnl_percent,
      openOrders: item.open_orders,
    }));
    const inserted = await this.dataSource.transaction(async (manager) => {
      const stored = await insertReturningStored(manager, PerformanceSnapshot, rows);
      if (stored.length === 0) return 0;
      const positionsCount = await manager.count(Position);
      await this.outbox.record(
        manager,
        'snapshot',
        stored.map((snapshot) => ({ id: snapshot.id, ...toPortfolioDto(snapshot, positionsCount) })),
      );
      return stored.length;
    });
    if (inserted > 0) {
      await this.outbox.announce();
      await this.cache.invalidate(INVALIDATES.snapshots);
      await this.metrics.refresh();
    }
    return { received: items.length, inserted, already_present: items.length - inserted };
  }
}
