import { Module } from '@nestjs/common';
import { AiController } from './ai/ai.controller';
import { BacktestsController } from './backtests/backtests.controller';
import { CacheControlGuard } from './cache/cache-control.guard';
import { ResponseCacheInterceptor } from './cache/response-cache.interceptor';
import { DemoStartupLoader } from './demo/demo-startup.loader';
import { BusinessMetricsRefresher } from './metrics/business-metrics.service';
import { PerformanceController } from './performance/performance.controller';
import { PortfolioController } from './positions/portfolio.controller';
import { StatsController } from './stats/stats.controller';
import { TradesController } from './trades/trades.controller';
import { TransparencyCoreModule } from './transparency-core.module';

/**
 * The transparency routes under /api/v1 (portfolio, trades, performance, ai, backtests, stats),
 * their cache, business metrics and the demo data (docs/transparency.md).
 */
@Module({
  imports: [TransparencyCoreModule],
  controllers: [
    PortfolioController,
    TradesController,
    PerformanceController,
    AiController,
    BacktestsController,
    StatsController,
  ],
  // `@CachedRead` attaches ResponseCacheInterceptor to its routes; the app registers
  // CacheControlGuard globally (it decides Cache-Control for every route).
  providers: [DemoStartupLoader, BusinessMetricsRefresher, ResponseCacheInterceptor, CacheControlGuard],
  exports: [CacheControlGuard],
})
export class TransparencyModule {}

/** The CLI's view: the same data and services, no routes, no demo load at boot. */
@Module({ imports: [TransparencyCoreModule], exports: [TransparencyCoreModule] })
export class TransparencyCliModule {}
