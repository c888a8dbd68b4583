import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * The metrics of docs/observability.md on prom-client's default registry, so metrics other libraries create
 * there (the business gauges) are exposed too. Default process metrics are registered by
 * MetricsService once per process, not by PrometheusModule once per app instance.
 */
@Module({
  imports: [
    PrometheusModule.register({
      controller: MetricsController,
      path: 'metrics',
      defaultMetrics: { enabled: false },
    }),
  ],
  providers: [MetricsService],
})
export class MetricsModule {}
