import { loadConfig } from '@app/config';
import { startTracing, type Tracing } from '@app/observability';

/**
 * Imported first by main.ts: OpenTelemetry must patch http, express, pg and ioredis before
 * anything requires them. With OTEL_EXPORTER_OTLP_ENDPOINT unset nothing is loaded.
 * An invalid configuration is left for main.ts to report in its one clear message.
 */
function start(): Tracing | undefined {
  try {
    return startTracing(loadConfig());
  } catch {
    return undefined;
  }
}

export const tracing = start();
