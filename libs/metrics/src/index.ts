export { instrumentDataSource, queryOperation } from './db-metrics';
export { recordRequest, requestDuration, requestsTotal } from './http-metrics';
export { MetricsModule } from './metrics.module';
export {
  type CacheLookupEvent,
  METRIC_EVENTS,
  type RateLimitExceededEvent,
  type TokenValidatedEvent,
} from './metrics-events';
export { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram, LATENCY_BUCKETS_SECONDS } from './registry';
