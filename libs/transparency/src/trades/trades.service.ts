import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiProblemException, validationProblem, pageMeta } from '@app/common';
import { StreamOutbox } from '@app/stream';
import { DataSource, type Repository } from 'typeorm';
import { TransparencyCache } from '../cache/transparency-cache.service';
import { INVALIDATES } from '../cache/cache-families';
import { type IngestResultDto, insertReturningStored } from '../shared/ingest';
import { newestFirstPage } from '../shared/list-page';
import { timeRange } from '../shared/time';
import { tradeCountExpression } from './trade-count';
import { TradeEvent } from './trade-event.entity';
import type { TradeDto, TradeIngestItemDto, TradeListDto, TradesQueryDto } from './trades.dto';

export function toTradeDto(t: TradeEvent): TradeDto {
  return {
    id: t.id,
    timestamp: t.timestamp.toISOString(),
    symbol: t.symbol,
    event_type: t.eventType,
    side: t.side,
    quantity: t.quantity,
    price: t.price,
    total_value: t.totalValue,
    fee: t.fee,
    realized_pnl: t.realizedPnl,
    status: t.status,
    order_type: t.orderType,
    strategy: t.strategy,
    data: t.data,
  };
}

/** Rounds away binary noise of quantity × price while keeping far more precision than prices carry. */
function product(a: number, b: number): number {
  return Number((a * b).toPrecision(15));
}

export function tradeRow(item: TradeIngestItemDto): Partial<TradeEvent> {
  return {
    id: item.id.toLowerCase(),
    timestamp: new Date(item.timestamp),
    symbol: item.symbol,
    eventType: item.event_type,
    side: item.side,
    quantity: item.quantity,
    price: item.price,
    totalValue: product(item.quantity, item.price),
    fee: item.fee ?? 0,
    realizedPnl: item.realized_pnl ?? null,
    status: item.status,
    orderType: item.order_type ?? null,
    strategy: item.strategy ?? null,
    data: item.data ?? {},
  };
}

@Injectable()
export class TradesService {
  constructor(
    @InjectRepository(TradeEvent) private readonly trades: Repository<TradeEvent>,
    private readonly dataSource: DataSource,
    private readonly cache: TransparencyCache,
    private readonly outbox: StreamOutbox,
  ) {}

  async list(query: TradesQueryDto): Promise<TradeListDto> {
    const { from, to } = timeRange(query.from, query.to);
    const qb = this.trades.createQueryBuilder('t');
    if (query.symbol) qb.andWhere('t.symbol = :symbol', { symbol: query.symbol });
    if (query.event_type) qb.andWhere('t.eventType = :eventType', { eventType: query.event_type });
    if (from) qb.andWhere('t.timestamp >= :from', { from });
    if (to) qb.andWhere('t.timestamp <= :to', { to });
    const total = tradeCountExpression({ symbol: query.symbol, eventType: query.event_type, from, to });
    const [rows, totalCount] = await newestFirstPage(qb, query, 'timestamp', total);
    return {
      trades: rows.map(toTradeDto),
      ...pageMeta(totalCount, query),
    };
  }

  async get(id: string): Promise<TradeDto> {
    const trade = await this.trades.findOneBy({ id });
    if (!trade) throw new ApiProblemException({ status: 404, detail: `No trade event with id ${id}.` });
    return toTradeDto(trade);
  }

  async ingest(items: TradeIngestItemDto[]): Promise<IngestResultDto> {
    const problems = items.flatMap((item, index) => [
      ...(item.realized_pnl !== undefined && item.realized_pnl !== null && item.event_type !== 'position_closed'
        ? [{ field: `[${index}].realized_pnl`, message: 'is only allowed on position_closed events' }]
        : []),
      // total_value is served as a JSON number: an overflowing product would read back as null.
      ...(Number.isFinite(item.quantity * item.price)
        ? []
        : [{ field: `[${index}].quantity`, message: 'quantity × price must be a finite number' }]),
    ]);
    if (problems.length > 0) throw validationProblem(problems);
    const inserted = await this.dataSource.transaction(async (manager) => {
      const rows = await insertReturningStored(manager, TradeEvent, items.map(tradeRow));
      await this.outbox.record(manager, 'trade', rows.map(toTradeDto));
      return rows.length;
    });
    if (inserted > 0) {
      await this.outbox.announce();
      await this.cache.invalidate(INVALIDATES.trades);
    }
    return { received: items.length, inserted, already_present: items.length - inserted };
  }
}
