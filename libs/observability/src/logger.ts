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

export type LogFormat = 'json' | 'pretty';

/**
 * JSON is what collectors and `grep`-then-`jq` want, so it is the answer everywhere except for
 * a person watching a terminal outside production, who gets one readable line per entry.
 */
export function chooseLogFormat(
  config: Pick<AppConfig, 'isProduction'>,
  destination: NodeJS.WritableStream,
): LogFormat {
  return !config.isProduction && (destination as { isTTY?: boolean }).isTTY === true ? 'pretty' : 'json';
}

/**
 * The process's logger: JSON lines on stdout (ISO timestamps, the level as a word, the
 * active trace id when tracing is on), or the same entries as readable lines on a terminal
 * outside production (`chooseLogFormat`). Redaction applies before either.
 */
export function createRootLogger(config: AppConfig, destination: NodeJS.WritableStream = process.stdout): Logger {
  const target = chooseLogFormat(config, destination) === 'pretty' ? prettyDestination(destination) : destination;
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
    target,
  );
}

/** pino still builds (and redacts) the JSON entry; this only re-renders it for a human. */
function prettyDestination(destination: NodeJS.WritableStream): { write(line: string): void } {
  const colors = (destination as { hasColors?: () => boolean }).hasColors?.() ?? false;
  return { write: (line: string) => destination.write(formatPrettyLine(line, colors)) };
}

const LEVEL_COLORS: Record<string, number> = { fatal: 35, error: 31, warn: 33, info: 32, debug: 36, trace: 90 };
/** Shown in the line's head, or constant for the process: not repeated as key=value. */
const HEAD_FIELDS = new Set(['time', 'level', 'msg', 'context', 'service', 'pid', 'hostname', 'err']);
const ACCESS_FIELDS = new Set(['method', 'path', 'status', 'duration_ms', 'route']);

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `12:00:01.234 INFO  [Context] message key=value ...`, plus an error's stack on the lines below. */
export function formatPrettyLine(line: string, colors = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const paint = (code: number, text: string): string => (colors ? `\x1b[${code}m${text}\x1b[0m` : text);
  const level = typeof entry.level === 'string' ? entry.level : 'info';
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const context = typeof entry.context === 'string' ? `${paint(90, `[${entry.context}]`)} ` : '';
  const isAccess = entry.msg === 'request completed' && typeof entry.method === 'string';
  const message = isAccess
    ? `${String(entry.method)} ${String(entry.path)} ${String(entry.status)} ${String(entry.duration_ms)} ms`
    : text(entry.msg);
  const rest = Object.entries(entry)
    .filter(([key]) => !HEAD_FIELDS.has(key) && !(isAccess && ACCESS_FIELDS.has(key)))
    .map(([key, value]) => `${paint(90, `${key}=`)}${text(value)}`);
  const err = entry.err as { stack?: unknown; message?: unknown } | undefined;
  const detail = typeof err?.stack === 'string' ? err.stack : text(err?.message);
  const stack = detail ? `\n${detail}` : '';
  const head = `${time} ${paint(LEVEL_COLORS[level] ?? 0, level.toUpperCase().padEnd(5))} ${context}${message}`;
  return `${[head, ...rest].join(' ')}${stack}\n`;
}
