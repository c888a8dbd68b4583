import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNumber, IsPositive, Min } from 'class-validator';
import { POSITION_SIDES, type PositionSide } from './position.entity';
import { FINITE } from '../shared/validation';

export class PortfolioDto {
  @ApiProperty({ example: 103250.12 }) total_equity!: number;
  @ApiProperty({ example: 41250.12 }) cash_balance!: number;
  @ApiProperty({ example: 62000 }) invested!: number;
  @ApiProperty({ example: 3250.12 }) total_pnl!: number;
  @ApiProperty({ example: 3.25 }) total_pnl_percent!: number;
  @ApiProperty({ example: 412.5 }) day_pnl!: number;
  @ApiProperty({ example: 0.4 }) day_pnl_percent!: number;
  @ApiProperty({ example: 3 }) positions_count!: number;
  @ApiProperty({ example: 1 }) open_orders!: number;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: "The latest snapshot's time; null (and every number 0) before the first snapshot.",
    example: '2026-11-28T11:55:00.000Z',
  })
  timestamp!: string | null;
}

export class PositionDto {
  @ApiProperty({ example: 'ETH-USD' }) symbol!: string;
  @ApiProperty({ enum: POSITION_SIDES, example: 'long' }) side!: PositionSide;
  @ApiProperty({ example: 4.5 }) size!: number;
  @ApiProperty({ example: 3120.4 }) entry_price!: number;
  @ApiProperty({ example: 3180.1 }) current_price!: number;
  @ApiProperty({ description: 'long: (current - entry) × size; short: (entry - current) × size', example: 268.65 })
  unrealized_pnl!: number;
  @ApiProperty({ description: 'unrealized_pnl / (entry × size) × 100', example: 1.9132 })
  unrealized_pnl_percent!: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-27T08:00:00.000Z' }) opened_at!: string;
}

export class PositionListDto {
  @ApiProperty({ type: [PositionDto] }) positions!: PositionDto[];
  @ApiProperty({ example: 3 }) total_count!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

/** `PUT /portfolio/positions/{symbol}`: the position as the engine holds it now. */
export class PositionUpsertDto {
  @ApiProperty({ enum: POSITION_SIDES }) @IsIn(POSITION_SIDES) side!: PositionSide;
  @ApiProperty({ description: 'Greater than 0.', example: 4.5 }) @IsNumber(FINITE) @IsPositive() size!: number;
  @ApiProperty({ minimum: 0, example: 3120.4 }) @IsNumber(FINITE) @Min(0) entry_price!: number;
  @ApiProperty({ minimum: 0, example: 3180.1 }) @IsNumber(FINITE) @Min(0) current_price!: number;
  @ApiProperty({ format: 'date-time' }) @IsISO8601({ strict: true }) opened_at!: string;
}
