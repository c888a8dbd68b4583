import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamOutboxModule } from '@app/stream';
import { AiService } from './ai/ai.service';
import { BacktestsService } from './backtests/backtests.service';
import { TransparencyCacheModule } from './cache/cache.module';
import { DemoDataService } from './demo/demo-data.service';
import { BusinessMetrics } from './metrics/business-metrics.service';
import { PerformanceService } from './performance/performance.service';
import { PortfolioService } from './positions/portfolio.service';
import { TRANSPARENCY_ENTITIES } from './shared/entities';
import { StatsService } from './stats/stats.service';
import { TradesService } from './trades/trades.service';

const SERVICES = [
  TradesService,
  PortfolioService,
  PerformanceService,
  AiService,
  BacktestsService,
  StatsService,
  BusinessMetrics,
  DemoDataService,
];

/** Entities, services, cache and metrics: shared by the HTTP module and the CLI. */
@Module({
  imports: [TypeOrmModule.forFeature(TRANSPARENCY_ENTITIES), TransparencyCacheModule, StreamOutboxModule],
  providers: SERVICES,
  exports: [...SERVICES, TransparencyCacheModule],
})
export class TransparencyCoreModule {}
