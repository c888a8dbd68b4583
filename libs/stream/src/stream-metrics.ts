import { getOrCreateCounter, getOrCreateGauge } from '@app/metrics';
import type { Counter, Gauge } from 'prom-client';

/**
 * `sse_connections` and `sse_events_sent_total` on prom-client's default registry (what
 * /metrics serves). Several app instances in one process (replicas in a test) share one metric
 * object, so the gauge moves by inc/dec, never set.
 */
export function streamMetrics(): { connections: Gauge; eventsSent: Counter<'event'> } {
  return {
    connections: getOrCreateGauge({ name: 'sse_connections', help: 'Live streams (SSE) open on this process.' }),
    eventsSent: getOrCreateCounter({
      name: 'sse_events_sent_total',
      help: 'Events written to live streams, by SSE event name (trade, snapshot, decision, error).',
      labelNames: ['event'],
    }),
  };
}
