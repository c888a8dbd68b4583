import { UNMATCHED_ROUTE, type CompletedRequest } from '@app/observability';
import { getOrCreateCounter, getOrCreateHistogram, LATENCY_BUCKETS_SECONDS } from './registry';

const LABELS = ['method', 'route', 'status_code'] as const;
/** Methods outside this set (junk from scanners) share one label value. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const requestsTotal = getOrCreateCounter({
  name: 'api_requests_total',
  help: 'HTTP requests answered, by method, route template and status code.',
  labelNames: LABELS,
});

export const requestDuration = getOrCreateHistogram({
  name: 'api_request_duration_seconds',
  help: 'Time from the first middleware to the end of the response, by method, route template and status code.',
  labelNames: LABELS,
  buckets: LATENCY_BUCKETS_SECONDS,
});

/** Labels are bounded: route templates, never raw paths; unmatched routes share one label. */
export function recordRequest(request: CompletedRequest): void {
  const labels = {
    method: KNOWN_METHODS.has(request.method) ? request.method : 'OTHER',
    route: request.route ?? UNMATCHED_ROUTE,
    status_code: String(request.status),
  };
  requestsTotal.inc(labels);
  requestDuration.observe(labels, request.durationMs / 1000);
}
