import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadRequest {
  url: string;
  method?: string;
  path: string;
  token?: string;
  body?: unknown;
  /** Fresh connection for this request (`Connection: close`) instead of the keep-alive pool. */
  fresh?: boolean;
}

export interface Outcome {
  requestId: string;
  method: string;
  path: string;
  url: string;
  /** performance.now() when the request was handed to the socket. */
  sentAt: number;
  endedAt: number;
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  /** Connection-level failure (reset, refused, hang-up): no HTTP answer at all. */
  error?: string;
}

export interface LoadOptions {
  concurrency: number;
  /** Upper bound on requests sent. */
  count: number;
  /** Stop sending when this answers true (checked before each request). */
  stop?: () => boolean;
  /** Pause between one worker's requests, to keep the rate steady rather than maximal. */
  pauseMs?: number;
  /** Pause after a connection error, so a refused port is not hammered in a tight loop. */
  pauseOnErrorMs?: number;
  next: (index: number) => LoadRequest;
  onOutcome?: (outcome: Outcome) => void;
}

let runCounter = 0;

/**
 * Bounded load from the test itself: a fixed number of workers over one keep-alive agent,
 * each sending its next request when the previous one ended, until `count` or `stop`.
 * Every request carries its own X-Request-Id, so its audit record can be looked up.
 */
export async function runLoad(options: LoadOptions): Promise<Outcome[]> {
  // FIFO reuse keeps every pooled socket busy, and a free one is dropped after 2 s: a socket
  // left idle up to the server's keep-alive timeout (5 s) could be closed by the server just as
  // a request goes out on it, a client-side race that would be counted against the server here.
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, scheduling: 'fifo', timeout: 2000 });
  const run = `${process.pid}-${++runCounter}-${Date.now().toString(36)}`;
  const outcomes: Outcome[] = [];
  let index = 0;
  const worker = async (): Promise<void> => {
    while (index < options.count && !options.stop?.()) {
      const i = index++;
      const outcome = await send(agent, `load-${run}-${i}`, options.next(i));
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
      const pause = outcome.error ? (options.pauseOnErrorMs ?? options.pauseMs) : options.pauseMs;
      if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return outcomes;
}

export function send(agent: Agent | undefined, requestId: string, spec: LoadRequest): Promise<Outcome> {
  const method = spec.method ?? 'GET';
  const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
  const headers: Record<string, string> = { 'X-Request-Id': requestId };
  if (spec.token) headers.Authorization = `Bearer ${spec.token}`;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  if (spec.fresh) headers.Connection = 'close';
  const target = new URL(spec.path, spec.url);
  const outcome: Outcome = { requestId, method, path: spec.path, url: spec.url, sentAt: performance.now(), endedAt: 0 };
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method,
        headers,
        agent: spec.fresh ? false : agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          outcome.status = res.statusCode;
          outcome.headers = res.headers;
          outcome.body = Buffer.concat(chunks).toString();
          outcome.endedAt = performance.now();
          resolve(outcome);
        });
        res.on('error', (error) => {
          outcome.error = `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`.trim();
          outcome.endedAt = performance.now();
          resolve(outcome);
        });
      },
    );
    req.on('error', (error) => {
      outcome.error = `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`.trim();
      outcome.endedAt = performance.now();
      resolve(outcome);
    });
    outcome.sentAt = performance.now();
    req.end(body);
  });
}

export interface LoadSummary {
  sent: number;
  answered: number;
  byStatus: Record<string, number>;
  serverErrors: number;
  connectionErrors: number;
}

export function summarise(outcomes: Outcome[]): LoadSummary {
  const byStatus: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.status === undefined ? 'conn-error' : String(o.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  return {
    sent: outcomes.length,
    answered: outcomes.filter((o) => o.status !== undefined).length,
    byStatus,
    serverErrors: outcomes.filter((o) => (o.status ?? 0) >= 500).length,
    connectionErrors: outcomes.filter((o) => o.error !== undefined).length,
  };
}

/** One line per scenario in the test output: what was measured, for the report and for CI logs. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  console.log(`[resilience] ${scenario}: ${JSON.stringify(figures)}`);
}
