import { IncomingMessage } from 'node:http';
import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import type { AppConfig } from '@app/config';

/** Service name on every span (SPEC §7). */
export const SERVICE_NAME = 'transparency-api';

export interface Tracing {
  /** Exports the spans buffered so far (the SDK keeps running). */
  flush(): Promise<void>;
  /** Exports what is buffered and stops the SDK. */
  shutdown(): Promise<void>;
}

let started: Tracing | undefined;

/** The running SDK, if tracing was started in this process. */
export function activeTracing(): Tracing | undefined {
  return started;
}

/**
 * Each incoming request's HTTP server span: the span that carries the response status, and
 * the one a trace viewer shows for the request. Deeper spans (express middleware) may be the
 * active one when an error is handled.
 */
const serverSpans = new WeakMap<IncomingMessage, Span>();

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

const UNTRACED_PATHS = /^\/(?:health(?:\/.*)?|metrics)(?:\?.*)?$/;

/**
 * Starts OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing at all
 * otherwise (the SDK is not even loaded, so tracing off costs nothing). Must run before
 * http, express, pg and ioredis are first required, hence `apps/api/src/tracing.ts`,
 * imported first by main.ts. Only traces are exported: metrics are Prometheus's job.
 */
export function startTracing(config: AppConfig): Tracing | undefined {
  const endpoint = config.tracing.otlpEndpoint;
  if (!endpoint) return undefined;
  if (started) return started;
  /* eslint-disable @typescript-eslint/no-require-imports */
  // Loaded only when enabled; require keeps this synchronous, ahead of the app's imports.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  const processor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 });
  const sdk = new NodeSDK({
    serviceName: SERVICE_NAME,
    spanProcessors: [processor],
    // Traces only; without these the SDK would also start OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would drown the traces that matter.
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
        requestHook: (span, request) => {
          if (request instanceof IncomingMessage) serverSpans.set(request, span);
        },
      }),
      new ExpressInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
      // ioredis is the only Redis client: the cache's Keyv store runs on the shared connection.
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  started = {
    flush: () => processor.forceFlush(),
    shutdown: async () => {
      started = undefined;
      await sdk.shutdown();
    },
  };
  return started;
}
