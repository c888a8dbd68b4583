import { type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** An open text/event-stream, parsed as it arrives. */
export interface SseStream {
  status: 200;
  headers: IncomingHttpHeaders;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ends (or drops) the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  bytes(): number;
  /** Resolves as soon as `check(events)` holds; rejects after `timeoutMs`. Answers the wait in ms. */
  waitFor(check: (events: SseEvent[]) => boolean, timeoutMs: number): Promise<number>;
  /** Stops reading: the socket's buffers fill up and the server sees a slow consumer. */
  pause(): void;
  resume(): void;
  close(): void;
}

/** A refusal: an ordinary HTTP response with a body. */
export interface SseRefusal {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface OpenOptions {
  token?: string;
  query?: string;
  lastEventId?: string;
  headers?: Record<string, string>;
}

/** Opens GET /api/v1/stream over a real socket (supertest waits for a response end that never comes). */
export function openStream(port: number, options: OpenOptions = {}): Promise<SseStream | SseRefusal> {
  const headers: Record<string, string> = { Accept: 'text/event-stream', ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['Last-Event-ID'] = options.lastEventId;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: `/api/v1/stream${options.query ?? ''}`, headers, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          return;
        }
        resolve(parse(res, () => req.destroy()));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function isStream(value: SseStream | SseRefusal): value is SseStream {
  return value.status === 200 && 'events' in value;
}

export async function openOk(port: number, options: OpenOptions = {}): Promise<SseStream> {
  const result = await openStream(port, options);
  if (!isStream(result)) throw new Error(`stream refused: ${result.status} ${result.body}`);
  return result;
}

function parse(res: IncomingMessage, destroy: () => void): SseStream {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  let bytes = 0;
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of waiters) waiter();
  };
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    bytes += Buffer.byteLength(chunk);
    buffer += chunk;
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event: Partial<SseEvent> & { data?: string } = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) event.id = line.slice(4);
        else if (line.startsWith('event: ')) event.event = line.slice(7);
        else if (line.startsWith('data: '))
          event.data = event.data === undefined ? line.slice(6) : `${event.data}\n${line.slice(6)}`;
      }
      if (event.data !== undefined) events.push({ event: event.event ?? 'message', data: event.data, id: event.id });
      event = {};
    }
    notify();
  });
  const endedPromise = new Promise<void>((resolve) => {
    const done = (): void => {
      ended = true;
      notify();
      resolve();
    };
    res.on('end', done);
    res.on('close', done);
    res.on('error', done);
  });
  return {
    status: 200,
    headers: res.headers,
    events,
    comments,
    ended: endedPromise,
    isEnded: () => ended,
    bytes: () => bytes,
    waitFor: (check, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        const started = Date.now();
        const test = (): void => {
          if (check(events)) {
            cleanup();
            resolve(Date.now() - started);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`stream condition not met within ${timeoutMs} ms (${events.length} events)`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(test);
        };
        waiters.add(test);
        test();
      }),
    pause: () => res.pause(),
    resume: () => res.resume(),
    close: destroy,
  };
}
