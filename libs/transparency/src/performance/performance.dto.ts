import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  isInt,
  IsISO8601,
  isISO8601,
  IsNumber,
  isNumber,
  IsUUID,
  isUUID,
  Max,
  Min,
} from 'class-validator';
import type { FastItemCheck } from '../shared/ingest';
import { PG_INT_MAX, FINITE } from '../shared/validation';

export const PERFORMANCE_PERIODS = ['1h', '4h', '1d', '7d', '30d', 'all'] as const;
export type PerformancePeriod = (typeof PERFORMANCE_PERIODS)[number];
export const CURVE_PERIODS = ['1d', '7d', '30d', '90d', 'all'] as const;
export type CurvePeriod = (typeof CURVE_PERIODS)[number];
export const CURVE_INTERVALS = ['5m', '15m', '1h', '4h', '1d'] as const;
export type CurveInterval = (typeof CURVE_INTERVALS)[number];
export const INTERVAL_SECONDS: Record<CurveInterval, number> = {
  '5m': 300,
  '15m': 900,
  '1h': 3600,
  '4h': 14_400,
  '1d': 86_400,
};

export class PerformanceQueryDto {
  @ApiPropertyOptional({ enum: PERFORMANCE_PERIODS, default: '1d' })
  @IsIn(PERFORMANCE_PERIODS)
  period: PerformancePeriod = '1d';
}

export class EquityCurveQueryDto {
  @ApiPropertyOptional({ enum: CURVE_PERIODS, default: '7d' })
  @IsIn(CURVE_PERIODS)
  period: CurvePeriod = '7d';

  @ApiPropertyOptional({ enum: CURVE_INTERVALS, default: '1h' })
  @IsIn(CURVE_INTERVALS)
  interval: CurveInterval = '1h';
}

export class PerformanceDto {
  @ApiProperty({ enum: PERFORMANCE_PERIODS, example: '1d' }) period!: PerformancePeriod;
  @ApiProperty({ description: 'Money: current - baseline equity.', example: 412.5 }) total_return!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Percent of the baseline equity.', example: 0.41 })
  total_return_percent!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Annualised; null with fewer than two returns.',
    example: 1.82,
  })
  sharpe_ratio!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Annualised; null without a losing step.', example: 2.41 })
  sortino_ratio!: number | null;
  @ApiProperty({ description: 'Money, <= 0.', example: -310.2 }) max_drawdown!: number;
  @ApiProperty({ description: 'Percent, <= 0.', example: -0.31 }) max_drawdown_percent!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Percent of closed trades with positive PnL.',
    example: 58.3,
  })
  win_rate!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Gross profit / gross loss; null without a losing trade.',
    example: 1.7,
  })
  profit_factor!: number | null;
  @ApiProperty({ description: 'position_closed events in the window.', example: 12 }) total_trades!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class EquityPointDto {
  @ApiProperty({ format: 'date-time', description: 'Bucket start (UTC multiple of the interval).' }) timestamp!: string;
  @ApiProperty({ description: 'Last equity in the bucket.', example: 100412.5 }) equity!: number;
}

export class EquityCurveDto {
  @ApiProperty({ enum: CURVE_PERIODS, example: '7d' }) period!: CurvePeriod;
  @ApiProperty({ enum: CURVE_INTERVALS, example: '1h' }) interval!: CurveInterval;
  @ApiProperty({ type: [EquityPointDto] }) data!: EquityPointDto[];
  @ApiProperty({ example: 100000 }) initial_equity!: number;
  @ApiProperty({ example: 100412.5 }) current_equity!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

/** One item of `POST /performance/snapshots`. */
export class SnapshotIngestItemDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
  @ApiProperty({ format: 'date-time' }) @IsISO8601({ strict: true }) timestamp!: string;
  @ApiProperty({ example: 103250.12 }) @IsNumber(FINITE) total_equity!: number;
  @ApiProperty({ example: 41250.12 }) @IsNumber(FINITE) cash_balance!: number;
  @ApiProperty({ example: 62000 }) @IsNumber(FINITE) invested!: number;
  @ApiProperty({ example: 3250.12 }) @IsNumber(FINITE) total_pnl!: number;
  @ApiProperty({ example: 3.25 }) @IsNumber(FINITE) total_pnl_percent!: number;
  @ApiProperty({ example: 412.5 }) @IsNumber(FINITE) day_pnl!: number;
  @ApiProperty({ example: 0.4 }) @IsNumber(FINITE) day_pnl_percent!: number;
  @ApiProperty({ example: 1 }) @IsInt() @Min(0) @Max(PG_INT_MAX) open_orders!: number;
}

const SNAPSHOT_NUMBERS = [
  'total_equity',
  'cash_balance',
  'invested',
  'total_pnl',
  'total_pnl_percent',
  'day_pnl',
  'day_pnl_percent',
] as const;
const SNAPSHOT_INGEST_KEYS: ReadonlySet<string> = new Set(['id', 'timestamp', ...SNAPSHOT_NUMBERS, 'open_orders']);

/**
 * The decorators of `SnapshotIngestItemDto`, hand-written for `validateBatch`'s fast path (the
 * same class-validator functions; no key outside the DTO): the item as `plainToInstance` builds
 * it, or undefined to let class-validator decide and word the errors. Change it with the DTO:
 * `performance.dto.spec.ts` compares both paths.
 */
export const fastSnapshotIngestItem: FastItemCheck<SnapshotIngestItemDto> = (raw) => {
  const keys = Object.keys(raw);
  for (const key of keys) if (!SNAPSHOT_INGEST_KEYS.has(key)) return undefined;
  if (!isUUID(raw.id) || !isISO8601(raw.timestamp, { strict: true })) return undefined;
  for (const key of SNAPSHOT_NUMBERS) if (!isNumber(raw[key], FINITE)) return undefined;
  const orders = raw.open_orders;
  if (!isInt(orders) || typeof orders !== 'number' || orders < 0 || orders > PG_INT_MAX) return undefined;
  const item = new SnapshotIngestItemDto() as unknown as Record<string, unknown>;
  for (const key of keys) item[key] = raw[key];
  return item as unknown as SnapshotIngestItemDto;
};
