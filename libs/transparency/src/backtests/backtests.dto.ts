import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsStorableText, PageMetaDto, PaginationQuery } from '@app/common';
import { PG_INT_MAX, FINITE } from '../shared/validation';
import { BACKTEST_STATUSES, type BacktestStatus } from './backtest.entity';

const nullableNumber = (key: keyof BacktestPerformanceDto) =>
  ValidateIf((o: BacktestPerformanceDto) => o[key] !== undefined && o[key] !== null);

export class BacktestsQueryDto extends PaginationQuery({ max: 100, default: 20 }) {}

export class BacktestPerformanceDto {
  @ApiProperty({ example: 100000 }) @IsNumber(FINITE) @Min(0) initial_capital!: number;
  @ApiProperty({ example: 118400 }) @IsNumber(FINITE) final_equity!: number;
  @ApiProperty({ example: 18400 }) @IsNumber(FINITE) total_return!: number;
  @ApiProperty({ example: 18.4 }) @IsNumber(FINITE) total_return_percent!: number;
  @ApiProperty({ nullable: true, type: Number, example: 1.64 })
  @nullableNumber('sharpe_ratio')
  @IsNumber(FINITE)
  sharpe_ratio!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 2.31 })
  @nullableNumber('sortino_ratio')
  @IsNumber(FINITE)
  sortino_ratio!: number | null;
  @ApiProperty({ description: 'Money, <= 0.', example: -7200 }) @IsNumber(FINITE) @Max(0) max_drawdown!: number;
  @ApiProperty({ description: 'Percent, <= 0.', example: -6.8 })
  @IsNumber(FINITE)
  @Max(0)
  max_drawdown_percent!: number;
  @ApiProperty({ nullable: true, type: Number, example: 2.71 })
  @nullableNumber('calmar_ratio')
  @IsNumber(FINITE)
  calmar_ratio!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Percent.', example: 56.2 })
  @nullableNumber('win_rate')
  @IsNumber(FINITE)
  @Min(0)
  @Max(100)
  win_rate!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 1.58 })
  @nullableNumber('profit_factor')
  @IsNumber(FINITE)
  @Min(0)
  profit_factor!: number | null;
  @ApiProperty({ example: 210 }) @IsInt() @Min(0) @Max(PG_INT_MAX) total_trades!: number;
  @ApiProperty({ example: 118 }) @IsInt() @Min(0) @Max(PG_INT_MAX) winning_trades!: number;
  @ApiProperty({ example: 92 }) @IsInt() @Min(0) @Max(PG_INT_MAX) losing_trades!: number;
}

export class BacktestDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Momentum BTC 2025' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ example: 'momentum-v2' }) strategy!: string;
  @ApiProperty({ format: 'date-time' }) start_date!: string;
  @ApiProperty({ format: 'date-time' }) end_date!: string;
  @ApiProperty({ enum: BACKTEST_STATUSES, example: 'completed' }) status!: BacktestStatus;
  @ApiProperty({ type: BacktestPerformanceDto }) performance!: BacktestPerformanceDto;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class BacktestListDto extends PageMetaDto {
  @ApiProperty({ type: [BacktestDto] }) backtests!: BacktestDto[];
}

/** `POST /backtests`: one backtest, idempotent on id. */
export class BacktestIngestDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
  @ApiProperty({ example: 'Momentum BTC 2025' }) @IsString() @Length(1, 200) @IsStorableText() name!: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 4000 })
  @ValidateIf((o: BacktestIngestDto) => o.description !== undefined && o.description !== null)
  @IsString()
  @Length(0, 4000)
  @IsStorableText()
  description?: string | null;

  @ApiProperty({ example: 'momentum-v2' }) @IsString() @Length(1, 100) @IsStorableText() strategy!: string;
  @ApiProperty({ format: 'date-time' }) @IsISO8601({ strict: true }) start_date!: string;
  @ApiProperty({ format: 'date-time' }) @IsISO8601({ strict: true }) end_date!: string;
  @ApiProperty({ enum: BACKTEST_STATUSES }) @IsIn(BACKTEST_STATUSES) status!: BacktestStatus;

  @ApiProperty({ type: BacktestPerformanceDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => BacktestPerformanceDto)
  performance!: BacktestPerformanceDto;
}
