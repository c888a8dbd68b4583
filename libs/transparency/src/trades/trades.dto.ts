import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  isIn,
  IsISO8601,
  isISO8601,
  IsNumber,
  isNumber,
  IsObject,
  isObject,
  IsOptional,
  IsString,
  IsUUID,
  isUUID,
  Length,
  length,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsStorableText, isStorableText, PageMetaDto, PaginationQuery, TimeBoundQuery } from '@app/common';
import type { FastItemCheck } from '../shared/ingest';
import { IsSymbol, FINITE, SYMBOL_PATTERN } from '../shared/validation';
import {
  ORDER_TYPES,
  type OrderType,
  TRADE_EVENT_TYPES,
  TRADE_SIDES,
  TRADE_STATUSES,
  type TradeEventType,
  type TradeSide,
  type TradeStatus,
} from './trade-event.entity';

export class TradesQueryDto extends PaginationQuery({ max: 500, default: 50 }) {
  @ApiPropertyOptional({ example: 'BTC-USD', pattern: '^[A-Za-z0-9\\-/]{1,20}$' })
  @IsOptional()
  @IsSymbol()
  symbol?: string;

  @ApiPropertyOptional({ enum: TRADE_EVENT_TYPES })
  @IsOptional()
  @IsIn(TRADE_EVENT_TYPES)
  event_type?: TradeEventType;

  @TimeBoundQuery('Inclusive lower bound on the event time.') from?: string;
  @TimeBoundQuery('Inclusive upper bound on the event time.') to?: string;
}

export class TradeDto {
  @ApiProperty({ format: 'uuid', example: '0b7c6f0e-1d1a-4c57-9a36-2f1f5f4d8a10' }) id!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T11:55:00.000Z' }) timestamp!: string;
  @ApiProperty({ example: 'BTC-USD' }) symbol!: string;
  @ApiProperty({ enum: TRADE_EVENT_TYPES, example: 'order_filled' }) event_type!: TradeEventType;
  @ApiProperty({ enum: TRADE_SIDES, example: 'buy' }) side!: TradeSide;
  @ApiProperty({ example: 0.25 }) quantity!: number;
  @ApiProperty({ example: 64250.5 }) price!: number;
  @ApiProperty({ description: 'quantity × price', example: 16062.625 }) total_value!: number;
  @ApiProperty({ example: 8.03 }) fee!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Set on position_closed events only.', example: null })
  realized_pnl!: number | null;
  @ApiProperty({ enum: TRADE_STATUSES, example: 'filled' }) status!: TradeStatus;
  @ApiProperty({ enum: ORDER_TYPES, nullable: true, example: 'market' }) order_type!: OrderType | null;
  @ApiProperty({ nullable: true, type: String, example: 'momentum-v2' }) strategy!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { exchange: 'demo' } })
  data!: Record<string, unknown>;
}

export class TradeListDto extends PageMetaDto {
  @ApiProperty({ type: [TradeDto] }) trades!: TradeDto[];
}

/** One item of `POST /trades`: the read shape minus the computed `total_value`. */
export class TradeIngestItemDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
  @ApiProperty({ format: 'date-time' }) @IsISO8601({ strict: true }) timestamp!: string;
  @ApiProperty({ example: 'BTC-USD' }) @IsString() @IsSymbol() symbol!: string;
  @ApiProperty({ enum: TRADE_EVENT_TYPES }) @IsIn(TRADE_EVENT_TYPES) event_type!: TradeEventType;
  @ApiProperty({ enum: TRADE_SIDES }) @IsIn(TRADE_SIDES) side!: TradeSide;
  @ApiProperty({ minimum: 0 }) @IsNumber(FINITE) @Min(0) quantity!: number;
  @ApiProperty({ minimum: 0 }) @IsNumber(FINITE) @Min(0) price!: number;
  @ApiPropertyOptional({ minimum: 0, default: 0 }) @IsOptional() @IsNumber(FINITE) @Min(0) fee?: number;

  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Only on position_closed events.' })
  @ValidateIf((o: TradeIngestItemDto) => o.realized_pnl !== undefined && o.realized_pnl !== null)
  @IsNumber(FINITE)
  realized_pnl?: number | null;

  @ApiProperty({ enum: TRADE_STATUSES }) @IsIn(TRADE_STATUSES) status!: TradeStatus;

  @ApiPropertyOptional({ enum: ORDER_TYPES, nullable: true })
  @IsOptional()
  @IsIn(ORDER_TYPES)
  order_type?: OrderType | null;

  @ApiPropertyOptional({ nullable: true, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @IsStorableText()
  strategy?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  @IsStorableText()
  data?: Record<string, unknown>;
}

const TRADE_INGEST_KEYS: ReadonlySet<string> = new Set([
  'id',
  'timestamp',
  'symbol',
  'event_type',
  'side',
  'quantity',
  'price',
  'fee',
  'realized_pnl',
  'status',
  'order_type',
  'strategy',
  'data',
]);

/** `@IsNumber(FINITE) @Min(0)` */
const nonNegative = (value: unknown): boolean => isNumber(value, FINITE) && value >= 0;

/**
 * The decorators of `TradeIngestItemDto`, hand-written for `validateBatch`'s fast path (the
 * same class-validator functions the decorators call; `@IsOptional`/`@ValidateIf` skip null and
 * undefined; no key outside the DTO): the item as `plainToInstance` builds it (symbol
 * upper-cased), or undefined to let class-validator decide and word the errors. Change it with
 * the DTO: `trades.dto.spec.ts` compares both paths.
 */
export const fastTradeIngestItem: FastItemCheck<TradeIngestItemDto> = (raw) => {
  const keys = Object.keys(raw);
  for (const key of keys) if (!TRADE_INGEST_KEYS.has(key)) return undefined;
  const { symbol, fee, realized_pnl, order_type, strategy, data } = raw;
  if (typeof symbol !== 'string') return undefined;
  const upper = symbol.toUpperCase();
  if (
    !isUUID(raw.id) ||
    !isISO8601(raw.timestamp, { strict: true }) ||
    !SYMBOL_PATTERN.test(upper) ||
    !isIn(raw.event_type, TRADE_EVENT_TYPES) ||
    !isIn(raw.side, TRADE_SIDES) ||
    !nonNegative(raw.quantity) ||
    !nonNegative(raw.price) ||
    (fee !== undefined && fee !== null && !nonNegative(fee)) ||
    (realized_pnl !== undefined && realized_pnl !== null && !isNumber(realized_pnl, FINITE)) ||
    !isIn(raw.status, TRADE_STATUSES) ||
    (order_type !== undefined && order_type !== null && !isIn(order_type, ORDER_TYPES)) ||
    (strategy !== undefined &&
      strategy !== null &&
      !(typeof strategy === 'string' && length(strategy, 1, 100) && isStorableText(strategy))) ||
    (data !== undefined && data !== null && !(isObject(data) && isStorableText(data)))
  ) {
    return undefined;
  }
  const item = new TradeIngestItemDto() as unknown as Record<string, unknown>;
  for (const key of keys) item[key] = raw[key];
  item.symbol = upper;
  return item as unknown as TradeIngestItemDto;
};
