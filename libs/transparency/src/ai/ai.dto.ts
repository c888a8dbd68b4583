import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsStorableText, PageMetaDto, PaginationQuery } from '@app/common';
import { IsSymbol, FINITE } from '../shared/validation';
import { DIRECTIONS, type Direction, OUTCOMES, type Outcome } from './ai-decision.entity';
import { PERFORMANCE_PERIODS, type PerformancePeriod } from '../performance/performance.dto';

export class DecisionsQueryDto extends PaginationQuery({ max: 200, default: 50 }) {
  @ApiPropertyOptional({ example: 'lstm-v3', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @IsStorableText()
  model?: string;

  @ApiPropertyOptional({ example: 'BTC-USD' })
  @IsOptional()
  @IsSymbol()
  symbol?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: Outcome;
}

export class ModelsQueryDto {
  @ApiPropertyOptional({ enum: PERFORMANCE_PERIODS, default: '1d' })
  @IsIn(PERFORMANCE_PERIODS)
  period: PerformancePeriod = '1d';
}

export class PredictionDto {
  @ApiProperty({ enum: DIRECTIONS, example: 'long' })
  @IsIn(DIRECTIONS)
  direction!: Direction;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.72 })
  @IsNumber(FINITE)
  @Min(0)
  @Max(1)
  confidence!: number;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 65800 })
  @ValidateIf((o: PredictionDto) => o.price_target !== undefined && o.price_target !== null)
  @IsNumber(FINITE)
  @Min(0)
  price_target?: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: '4h', maxLength: 32 })
  @ValidateIf((o: PredictionDto) => o.time_horizon !== undefined && o.time_horizon !== null)
  @IsString()
  @Length(1, 32)
  @IsStorableText()
  time_horizon?: string | null;
}

export class DecisionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ example: 'lstm-v3' }) model_name!: string;
  @ApiProperty({ example: 'BTC-USD' }) symbol!: string;
  @ApiProperty({ type: PredictionDto }) prediction!: {
    direction: Direction;
    confidence: number;
    price_target: number | null;
    time_horizon: string | null;
  };
  @ApiProperty({ nullable: true, type: String, example: 'Momentum and funding rate both positive.' })
  reasoning!: string | null;
  @ApiProperty({ enum: OUTCOMES, example: 'profitable' }) outcome!: Outcome;
  @ApiProperty({ nullable: true, type: Number, description: 'Realised return in percent, once known.', example: 1.24 })
  actual_return!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { rsi_14: 61.2 } })
  features!: Record<string, unknown>;
}

export class DecisionListDto extends PageMetaDto {
  @ApiProperty({ type: [DecisionDto] }) decisions!: DecisionDto[];
}

export class ModelDto {
  @ApiProperty({ example: 'lstm-v3' }) name!: string;
  @ApiProperty({ description: 'Decisions in the window.', example: 96 }) predictions!: number;
  @ApiProperty({ example: 0.68 }) avg_confidence!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Percent profitable among decisions resolved as profitable or loss.',
    example: 57.1,
  })
  win_rate!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Percent of long/short calls with a known actual_return whose sign matched the direction.',
    example: 60.2,
  })
  accuracy!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Mean actual_return (percent) where known.',
    example: 0.31,
  })
  avg_return!: number | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) last_prediction_at!: string | null;
}

export class ModelListDto {
  @ApiProperty({ type: [ModelDto] }) models!: ModelDto[];
  @ApiProperty({ example: 3 }) total_count!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

/** One item of `POST /ai/decisions`. */
export class DecisionIngestItemDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
  @ApiProperty({ format: 'date-time' }) @IsISO8601({ strict: true }) timestamp!: string;
  @ApiProperty({ example: 'lstm-v3' }) @IsString() @Length(1, 100) @IsStorableText() model_name!: string;
  @ApiProperty({ example: 'BTC-USD' }) @IsString() @IsSymbol() symbol!: string;

  @ApiProperty({ type: PredictionDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PredictionDto)
  prediction!: PredictionDto;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 4000 })
  @ValidateIf((o: DecisionIngestItemDto) => o.reasoning !== undefined && o.reasoning !== null)
  @IsString()
  @Length(0, 4000)
  @IsStorableText()
  reasoning?: string | null;

  @ApiPropertyOptional({ enum: OUTCOMES, default: 'pending' })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: Outcome;

  @ApiPropertyOptional({ nullable: true, type: Number })
  @ValidateIf((o: DecisionIngestItemDto) => o.actual_return !== undefined && o.actual_return !== null)
  @IsNumber(FINITE)
  actual_return?: number | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  @IsStorableText()
  features?: Record<string, unknown>;
}

/** `PATCH /ai/decisions/{id}`: the outcome once it is known. */
export class DecisionPatchDto {
  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: Outcome;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 1.24 })
  @ValidateIf((o: DecisionPatchDto) => o.actual_return !== undefined && o.actual_return !== null)
  @IsNumber(FINITE)
  actual_return?: number | null;
}
