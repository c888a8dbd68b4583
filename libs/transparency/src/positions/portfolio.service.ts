import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiProblemException, validationProblem } from '@app/common';
import type { Repository } from 'typeorm';
import { INVALIDATES } from '../cache/cache-families';
import { TransparencyCache } from '../cache/transparency-cache.service';
import { BusinessMetrics } from '../metrics/business-metrics.service';
import { PerformanceSnapshot } from '../performance/performance-snapshot.entity';
import { round } from '../shared/round';
import type { PortfolioDto, PositionDto, PositionListDto, PositionUpsertDto } from './portfolio.dto';
import { Position } from './position.entity';

export function toPositionDto(p: Position): PositionDto {
  const direction = p.side === 'long' ? 1 : -1;
  const pnl = (p.currentPrice - p.entryPrice) * p.size * direction;
  const cost = p.entryPrice * p.size;
  return {
    symbol: p.symbol,
    side: p.side,
    size: p.size,
    entry_price: p.entryPrice,
    current_price: p.currentPrice,
    unrealized_pnl: round(pnl),
    unrealized_pnl_percent: cost === 0 ? 0 : round((pnl / cost) * 100, 6),
    opened_at: p.openedAt.toISOString(),
  };
}

/** GET /portfolio as it reads when `latest` is the latest snapshot (none yet: zeros and a null time). */
export function toPortfolioDto(latest: PerformanceSnapshot | undefined, positionsCount: number): PortfolioDto {
  return {
    total_equity: latest?.totalEquity ?? 0,
    cash_balance: latest?.cashBalance ?? 0,
    invested: latest?.invested ?? 0,
    total_pnl: latest?.totalPnl ?? 0,
    total_pnl_percent: latest?.totalPnlPercent ?? 0,
    day_pnl: latest?.dayPnl ?? 0,
    day_pnl_percent: latest?.dayPnlPercent ?? 0,
    positions_count: positionsCount,
    open_orders: latest?.openOrders ?? 0,
    timestamp: latest ? latest.timestamp.toISOString() : null,
  };
}

@Injectable()
export class PortfolioService {
  constructor(
    @InjectRepository(PerformanceSnapshot) private readonly snapshots: Repository<PerformanceSnapshot>,
    @InjectRepository(Position) private readonly positions: Repository<Position>,
    private readonly cache: TransparencyCache,
    private readonly metrics: BusinessMetrics,
  ) {}

  async portfolio(): Promise<PortfolioDto> {
    const [latest] = await this.snapshots.find({ order: { timestamp: 'DESC' }, take: 1 });
    const positionsCount = await this.positions.count();
    return toPortfolioDto(latest, positionsCount);
  }

  async list(): Promise<PositionListDto> {
    const rows = await this.positions.find({ order: { symbol: 'ASC' } });
    return { positions: rows.map(toPositionDto), total_count: rows.length, timestamp: new Date().toISOString() };
  }

  async upsert(symbol: string, body: PositionUpsertDto): Promise<PositionDto> {
    const position = this.positions.create({
      symbol,
      side: body.side,
      size: body.size,
      entryPrice: body.entry_price,
      currentPrice: body.current_price,
      openedAt: new Date(body.opened_at),
      updatedAt: new Date(),
    });
    const dto = toPositionDto(position);
    // Served as JSON numbers: an overflowing PnL would read back as null on every list.
    if (!Number.isFinite(dto.unrealized_pnl) || !Number.isFinite(dto.unrealized_pnl_percent)) {
      throw validationProblem([{ field: 'size', message: 'size × price must be a finite number' }]);
    }
    await this.positions.upsert(position, ['symbol']);
    await this.afterWrite();
    return dto;
  }

  async remove(symbol: string): Promise<void> {
    const result = await this.positions.delete({ symbol });
    if (!result.affected) throw new ApiProblemException({ status: 404, detail: `No open position in ${symbol}.` });
    await this.afterWrite();
  }

  private async afterWrite(): Promise<void> {
    await this.cache.invalidate(INVALIDATES.positions);
    await this.metrics.refresh();
  }
}
