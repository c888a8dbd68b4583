import { loadConfig } from '@app/config';
import { chooseLogFormat, createRootLogger, formatPrettyLine } from './logger';

/** A stdout stand-in that records what is written, a terminal or not. */
function sink(isTTY: boolean): NodeJS.WritableStream & { lines: string[] } {
  const lines: string[] = [];
  return { isTTY, lines, write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream & {
    lines: string[];
  };
}

const development = loadConfig({ LOG_LEVEL: 'info' });
const production = { ...development, isProduction: true } as typeof development;

describe('log format', () => {
  it('is human-readable only on a terminal outside production, JSON otherwise', () => {
    expect(chooseLogFormat(development, sink(true))).toBe('pretty');
    expect(chooseLogFormat(development, sink(false))).toBe('json');
    expect(chooseLogFormat(production, sink(true))).toBe('json');
    expect(chooseLogFormat(production, sink(false))).toBe('json');
  });

  it('writes one JSON object per line when stdout is not a terminal', () => {
    const out = sink(false);
    createRootLogger(development, out).info({ context: 'Bootstrap' }, 'listening');
    expect(JSON.parse(out.lines[0])).toMatchObject({ level: 'info', msg: 'listening', context: 'Bootstrap' });
  });

  it('writes readable lines on a terminal, still redacted', () => {
    const out = sink(true);
    const logger = createRootLogger(development, out);
    logger.warn({ context: 'Auth', password: 'hunter2-secret', attempt: 3 }, 'login refused');
    const line = out.lines[0];
    expect(() => JSON.parse(line)).toThrow();
    expect(line).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} WARN {2}\[Auth\] login refused password=\[redacted\] attempt=3\n$/);
    expect(line).not.toContain('hunter2');
  });

  it('renders an access-log entry as method, path, status and duration, and an error with its stack', () => {
    const access = formatPrettyLine(
      JSON.stringify({
        level: 'info',
        time: '2026-11-29T10:00:00.123Z',
        msg: 'request completed',
        method: 'GET',
        path: '/api/v1/trades',
        route: '/api/v1/trades',
        status: 200,
        duration_ms: 1.5,
        request_id: 'r-1',
      }),
    );
    expect(access).toBe('10:00:00.123 INFO  GET /api/v1/trades 200 1.5 ms request_id=r-1\n');
    const failed = formatPrettyLine(
      JSON.stringify({
        level: 'error',
        time: '2026-11-29T10:00:00.123Z',
        msg: 'boom',
        err: { stack: 'Error: x\n    at y' },
      }),
    );
    expect(failed).toBe('10:00:00.123 ERROR boom\nError: x\n    at y\n');
  });

  it('colours the level only when the terminal has colours, and passes a non-JSON line through', () => {
    const line = JSON.stringify({ level: 'error', time: '2026-11-29T10:00:00.123Z', msg: 'x' });
    expect(formatPrettyLine(line, true)).toContain('\x1b[31mERROR\x1b[0m');
    expect(formatPrettyLine(line, false)).not.toContain('\x1b[');
    expect(formatPrettyLine('plain text\n')).toBe('plain text\n');
  });
});
