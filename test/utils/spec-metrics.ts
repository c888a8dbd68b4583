/**
 * The core metric names: those docs/observability.md lists, less `redis_fallback_active` and
 * the stream's `sse_*` (histograms also expose _bucket/_sum/_count).
 */
export const SPEC_METRICS: readonly string[] = [
  'api_requests_total',
  'api_request_duration_seconds',
  'db_query_duration_seconds',
  'db_connections_active',
  'db_connections_idle',
  'cache_hits_total',
  'cache_misses_total',
  'cache_entries',
  'rate_limit_exceeded_total',
  'auth_attempts_total',
  'auth_token_validations_total',
  'audit_events_written_total',
  'audit_queue_depth',
  'audit_events_dropped_total',
  'portfolio_equity',
  'portfolio_pnl',
  'active_positions',
  'ai_predictions_total',
  'ai_prediction_confidence',
  'api_info',
];
