import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The trace id of the active span, or undefined when tracing is off: without a started
 * SDK the API is a no-op and there is never an active span, so this costs nothing.
 */
export function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}
