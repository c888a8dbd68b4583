import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiProblemException, validationProblem, pageMeta } from '@app/common';
import { DataSource, type Repository } from 'typeorm';
import { INVALIDATES } from '../cache/cache-families';
import { TransparencyCache } from '../cache/transparency-cache.service';
import { insertIgnoringDuplicates, type IngestResultDto } from '../shared/ingest';
import { newestFirstPage } from '../shared/list-page';
import { Backtest } from './backtest.entity';
import type { BacktestDto, BacktestIngestDto, BacktestListDto, BacktestsQueryDto } from './backtests.dto';

export function toBacktestDto(b: Backtest): BacktestDto {
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    strategy: b.strategy,
    start_date: b.startDate.toISOString(),
    end_date: b.endDate.toISOString(),
    status: b.status,
    performance: {
      initial_capital: b.initialCapital,
      final_equity: b.finalEquity,
      total_return: b.totalReturn,
      total_return_percent: b.totalReturnPercent,
      sharpe_ratio: b.sharpeRatio,
      sortino_ratio: b.sortinoRatio,
      max_drawdown: b.maxDrawdown,
      max_drawdown_percent: b.maxDrawdownPercent,
      calmar_ratio: b.calmarRatio,
      win_rate: b.winRate,
      profit_factor: b.profitFactor,
      total_trades: b.totalTrades,
      winning_trades: b.winningTrades,
      losing_trades: b.losingTrades,
    },
    created_at: b.createdAt.toISOString(),
  };
}

export function backtestRow(body: BacktestIngestDto, createdAt = new Date()): Partial<Backtest> {
  const p = body.performance;
  return {
    id: body.id.toLowerCase(),
    name: body.name,
    description: body.description ?? null,
    strategy: body.strategy,
    startDate: new Date(body.start_date),
    endDate: new Date(body.end_date),
    status: body.status,
    initialCapital: p.initial_capital,
    finalEquity: p.final_equity,
    totalReturn: p.total_return,
    totalReturnPercent: p.total_return_percent,
    sharpeRatio: p.sharpe_ratio ?? null,
    sortinoRatio: p.sortino_ratio ?? null,
    maxDrawdown: p.max_drawdown,
    maxDrawdownPercent: p.max_drawdown_percent,
    calmarRatio: p.calmar_ratio ?? null,
    winRate: p.win_rate ?? null,
    profitFactor: p.profit_factor ?? null,
    totalTrades: p.total_trades,
    winningTrades: p.winning_trades,
    losingTrades: p.losing_trades,
    createdAt,
  };
}

@Injectable()
export class BacktestsService {
  constructor(
    @InjectRepository(Backtest) private readonly backtests: Repository<Backtest>,
    private readonly dataSource: DataSource,
    private readonly cache: TransparencyCache,
  ) {}

  async list(query: BacktestsQueryDto): Promise<BacktestListDto> {
    const [rows, total] = await newestFirstPage(this.backtests.createQueryBuilder('b'), query, 'createdAt');
    return {
      backtests: rows.map(toBacktestDto),
      ...pageMeta(total, query),
    };
  }

  async get(id: string): Promise<BacktestDto> {
    const backtest = await this.backtests.findOneBy({ id });
    if (!backtest) throw new ApiProblemException({ status: 404, detail: `No backtest with id ${id}.` });
    return toBacktestDto(backtest);
  }

  async ingest(body: BacktestIngestDto): Promise<IngestResultDto> {
    if (new Date(body.end_date) < new Date(body.start_date)) {
      throw validationProblem([{ field: 'end_date', message: 'must not be earlier than start_date' }]);
    }
    const p = body.performance;
    if (p.winning_trades + p.losing_trades > p.total_trades) {
      throw validationProblem([
        { field: 'performance.total_trades', message: 'must be at least winning_trades + losing_trades' },
      ]);
    }
    const { length: inserted } = await this.dataSource.transaction((manager) =>
      insertIgnoringDuplicates(manager, Backtest, [backtestRow(body)]),
    );
    if (inserted > 0) await this.cache.invalidate(INVALIDATES.backtests);
    return { received: 1, inserted, already_present: 1 - inserted };
  }
}
