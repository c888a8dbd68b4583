import { IncomingMessage } from 'node:http';
import type { AppConfig } from '@app/config';
import { type RequestKind, requestKind, trackServerSpan } from '@app/common';

/** Probes, scrapes and preflights (docs assets are traced: they are rare and served by the app). */
const UNTRACED = new Set<RequestKind>(['health', 'metrics', 'preflight']);

/** Service name on every span (docs/observability.md). */
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
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED.has(requestKind(req)),
        requestHook: (span, request) => {
          if (request instanceof IncomingMessage) trackServerSpan(request, span);
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
