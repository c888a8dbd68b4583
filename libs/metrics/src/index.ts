export { instrumentDataSource, queryOperation } from './db-metrics';
export { recordRequest, requestDuration, requestsTotal } from './http-metrics';
export { MetricsModule } from './metrics.module';
export { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram, LATENCY_BUCKETS_SECONDS } from './registry';
