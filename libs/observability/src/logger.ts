import type { AppConfig } from '@app/config';
import pino, { type Logger } from 'pino';
import { activeTraceId } from './trace-context';

/** Injection token of the root pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * Paths pino censors wherever a log call passes such an object: the access log never
 * carries headers or bodies, this is the net under code that logs one by mistake.
 */
export const REDACTED_PATHS = [
  'authorization',
  'cookie',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'secret',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  'req.body.password',
  'req.body.refresh_token',
  '*.headers.authorization',
  '*.headers.cookie',
];

/**
 * The process's structured logger: JSON lines on stdout, ISO timestamps, the level as a
 * word, and the active trace id on every line when tracing is on.
 */
export function createRootLogger(config: AppConfig, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'transparency-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin(merged: object) {
        if ('trace_id' in merged) return {};
        const traceId = activeTraceId();
        return traceId ? { trace_id: traceId } : {};
      },
    },
    destination,
  );
}
