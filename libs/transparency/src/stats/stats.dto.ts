import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class TradingStatsDto {
  @ApiProperty({ example: 412 }) trade_events!: number;
  @ApiProperty({ example: 37 }) trade_events_24h!: number;
  @ApiProperty({ example: 5 }) symbols_traded!: number;
  @ApiProperty({ description: 'position_closed events.', example: 80 }) closed_positions!: number;
  @ApiProperty({ example: 3 }) open_positions!: number;
  @ApiProperty({ description: 'Sum of realized_pnl over closed positions.', example: 2310.4 }) realized_pnl!: number;
  @ApiProperty({ example: 8640 }) snapshots!: number;
  @ApiProperty({ nullable: true, type: Number, example: 103250.12 }) latest_equity!: number | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) last_trade_at!: string | null;
}

export class AiStatsDto {
  @ApiProperty({ example: 300 }) decisions!: number;
  @ApiProperty({ example: 24 }) decisions_24h!: number;
  @ApiProperty({ example: 3 }) models!: number;
  @ApiProperty({ example: { pending: 20, profitable: 160, loss: 110, cancelled: 10 } })
  by_outcome!: Record<'pending' | 'profitable' | 'loss' | 'cancelled', number>;
  @ApiProperty({ nullable: true, type: Number, example: 0.66 }) avg_confidence!: number | null;
}

export class ApiStatsDto {
  @ApiProperty({ example: 3600 }) uptime_seconds!: number;
  @ApiPropertyOptional({ description: 'From api_requests_total, when the metrics module is loaded.', example: 1520 })
  requests_total?: number;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'p95 of api_request_duration_seconds (histogram buckets, interpolated), in ms.',
    example: 12.5,
  })
  p95_latency_ms?: number | null;
}

export class StatsDto {
  @ApiProperty({ type: TradingStatsDto }) trading!: TradingStatsDto;
  @ApiProperty({ type: AiStatsDto }) ai!: AiStatsDto;
  @ApiProperty({ type: ApiStatsDto }) api!: ApiStatsDto;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}
