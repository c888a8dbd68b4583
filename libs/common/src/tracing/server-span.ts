import type { IncomingMessage } from 'node:http';
import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * Each incoming request's HTTP server span: the span that carries the response status, and
 * the one a trace viewer shows for the request. Deeper spans (express middleware) may be the
 * active one when an error is handled.
 */
const serverSpans = new WeakMap<IncomingMessage, Span>();

/** Called by the tracing SDK's HTTP instrumentation when it opens a request's server span. */
export function trackServerSpan(request: IncomingMessage, span: Span): void {
  serverSpans.set(request, span);
}

/**
 * Records an error that became a 5xx on the request's server span (an `exception` event with
 * type, message and stack, and status ERROR), so the trace shows why it failed, not only that
 * it did. Free when tracing is off: no span was ever stored.
 */
export function recordServerError(request: IncomingMessage, error: unknown): void {
  const span = serverSpans.get(request) ?? trace.getActiveSpan();
  if (!span) return;
  // Name, not a driver's `code` (which the SDK would prefer), as the exception's type.
  span.recordException(
    error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
  );
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'non-Error thrown' });
}
