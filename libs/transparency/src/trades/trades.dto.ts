import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsStorableText, PageMetaDto, PaginationQuery, TimeBoundQuery } from '@app/common';
import { IsSymbol, FINITE } from '../shared/validation';
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
