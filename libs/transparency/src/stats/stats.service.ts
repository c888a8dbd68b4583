import { Injectable } from '@nestjs/common';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { toNumber } from '../shared/columns';
import { round, roundOrNull } from '../shared/round';
import { histogramQuantile, mergeBuckets } from './histogram-quantile';
import type { ApiStatsDto, StatsDto } from './stats.dto';

const REQUESTS_METRIC = 'api_requests_total';
const DURATION_METRIC = 'api_request_duration_seconds';

interface TradingRow {
  trade_events: number;
  trade_events_24h: number;
  symbols_traded: number;
  closed_positions: number;
  realized_pnl: string | null;
  last_trade_at: Date | null;
}

interface AiRow {
  decisions: number;
  decisions_24h: number;
  models: number;
  pending: number;
  profitable: number;
  loss: number;
  cancelled: number;
  avg_confidence: string | null;
}

/** Every figure measured: counts from Postgres, request figures from the metrics registry. */
@Injectable()
export class StatsService {
  constructor(private readonly dataSource: DataSource) {}

  async stats(now = new Date()): Promise<StatsDto> {
    const dayAgo = new Date(now.getTime() - 86_400_000);
    const [[trading], [positions], [snapshots], [ai], api] = await Promise.all([
      this.dataSource.query<TradingRow[]>(
        `SELECT count(*)::int AS trade_events,
                count(*) FILTER (WHERE "timestamp" >= $1)::int AS trade_events_24h,
                count(DISTINCT symbol)::int AS symbols_traded,
                count(*) FILTER (WHERE event_type = 'position_closed')::int AS closed_positions,
                coalesce(sum(realized_pnl) FILTER (WHERE event_type = 'position_closed'), 0) AS realized_pnl,
                max("timestamp") AS last_trade_at
           FROM trade_events`,
        [dayAgo],
      ),
      this.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM positions'),
      this.dataSource.query<{ n: number; latest: string | null }[]>(
        `SELECT (SELECT count(*)::int FROM performance_snapshots) AS n,
                (SELECT total_equity FROM performance_snapshots ORDER BY "timestamp" DESC LIMIT 1) AS latest`,
      ),
      this.dataSource.query<AiRow[]>(
        `SELECT count(*)::int AS decisions,
                count(*) FILTER (WHERE "timestamp" >= $1)::int AS decisions_24h,
                count(DISTINCT model_name)::int AS models,
                count(*) FILTER (WHERE outcome = 'pending')::int AS pending,
                count(*) FILTER (WHERE outcome = 'profitable')::int AS profitable,
                count(*) FILTER (WHERE outcome = 'loss')::int AS loss,
                count(*) FILTER (WHERE outcome = 'cancelled')::int AS cancelled,
                avg(confidence) AS avg_confidence
           FROM ai_decisions`,
        [dayAgo],
      ),
      this.apiStats(),
    ]);
    const t = trading;
    const a = ai;
    return {
      trading: {
        trade_events: t.trade_events,
        trade_events_24h: t.trade_events_24h,
        symbols_traded: t.symbols_traded,
        closed_positions: t.closed_positions,
        open_positions: positions?.n ?? 0,
        realized_pnl: round(toNumber(t.realized_pnl) ?? 0),
        snapshots: snapshots?.n ?? 0,
        latest_equity: toNumber(snapshots?.latest),
        last_trade_at: t.last_trade_at ? t.last_trade_at.toISOString() : null,
      },
      ai: {
        decisions: a.decisions,
        decisions_24h: a.decisions_24h,
        models: a.models,
        by_outcome: { pending: a.pending, profitable: a.profitable, loss: a.loss, cancelled: a.cancelled },
        avg_confidence: roundOrNull(toNumber(a.avg_confidence), 6),
      },
      api,
      timestamp: now.toISOString(),
    };
  }

  /** Only figures the registry really has: no metric, no field (never an invented number). */
  async apiStats(): Promise<ApiStatsDto> {
    const api: ApiStatsDto = { uptime_seconds: Math.floor(process.uptime()) };
    const requests = register.getSingleMetric(REQUESTS_METRIC);
    if (requests) {
      const { values } = await requests.get();
      api.requests_total = values.reduce((sum, v) => sum + v.value, 0);
    }
    const duration = register.getSingleMetric(DURATION_METRIC);
    if (duration) {
      const { values } = await duration.get();
      const p95 = histogramQuantile(0.95, mergeBuckets(values, DURATION_METRIC));
      api.p95_latency_ms = p95 === null ? null : round(p95 * 1000, 3);
    }
    return api;
  }
}
