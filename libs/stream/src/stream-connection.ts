import type { Response } from 'express';
import type { StreamEventType } from './stream-topics';

/** One outbox row, rendered once as an SSE frame and written to every stream that wants it. */
export interface StreamEvent {
  id: number;
  type: StreamEventType;
  frame: string;
}

export function renderEvent(id: number, type: StreamEventType, json: string): StreamEvent {
  // `json` is one line (JSON.stringify escapes newlines), so it is one `data:` field.
  return { id, type, frame: `id: ${id}\nevent: ${type}\ndata: ${json}\n\n` };
}

/** Why the server ended a stream: the `reason` of the final `event: error`. */
export type StreamEndReason = 'slow_consumer' | 'token_revoked' | 'token_expired' | 'shutdown';

const END_DETAIL: Record<StreamEndReason, string> = {
  slow_consumer: 'The client did not read fast enough; reconnect with Last-Event-ID to resume.',
  token_revoked: 'The access token has been revoked.',
  token_expired: 'The access token has expired; reconnect with a fresh one and Last-Event-ID to resume.',
  shutdown: 'The server is shutting down; reconnect with Last-Event-ID to resume.',
};

/** How long an ended stream may take to flush its last bytes before its socket is destroyed. */
const END_GRACE_MS = 1000;
/** A replay waits this long at most for the client to take a buffer's worth before it counts as slow. */
const REPLAY_DRAIN_MS = 10_000;
/** Tells EventSource-style clients how soon to reconnect after a drop. */
const RETRY_MS = 1000;

export interface StreamConnectionOptions {
  topics: ReadonlySet<StreamEventType>;
  tokenId?: string;
  expiresAt?: Date;
  heartbeatMs: number;
  maxBufferBytes: number;
  onSent(event: StreamEventType | 'error'): void;
  /** Called exactly once, when the response is closed for any reason. */
  onClosed(connection: StreamConnection): void;
}

/**
 * One open stream. Events that arrive while its replay is being read are held (bounded like
 * the socket buffer), then written after the replay, skipping any id already sent: ids only
 * grow, so "nothing twice, nothing out of order" is one comparison.
 */
export class StreamConnection {
  private lastId = 0;
  private held: StreamEvent[] | undefined = [];
  private heldBytes = 0;
  /**
   * The highest id dropped from `held` once it reached its bound. Events that arrive while the
   * replay is read are usually in the replay too (the writer's fan-out races the replay query),
   * so a full hold is no reason to end the stream; only a dropped id past the replay is a gap.
   */
  private droppedMaxId = 0;
  private heartbeat?: NodeJS.Timeout;
  private ended = false;
  private closed = false;

  constructor(
    private readonly res: Response,
    private readonly options: StreamConnectionOptions,
  ) {
    res.once('close', () => this.onClose());
  }

  get tokenId(): string | undefined {
    return this.options.tokenId;
  }

  get expiresAt(): Date | undefined {
    return this.options.expiresAt;
  }

  get isOpen(): boolean {
    return !this.ended && !this.closed;
  }

  /**
   * Sends the headers, the replay, then what arrived meanwhile; from then on events go straight
   * out. The replay (up to 1,000 events, possibly more than the buffer bound) is paced by the
   * socket: it waits for a drain instead of counting a large backlog as a slow client.
   */
  async start(afterId: number, replay: readonly StreamEvent[]): Promise<void> {
    if (!this.isOpen) return;
    this.lastId = afterId;
    const res = this.res;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    // Asks nginx-style proxies not to buffer the stream.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    // Disable Nagle: an event is small and should leave now.
    res.socket?.setNoDelay(true);
    res.write(`retry: ${RETRY_MS}\n\n`);
    for (const event of replay) {
      if (!this.isOpen) return;
      this.lastId = event.id;
      res.write(event.frame);
      this.options.onSent(event.type);
      if (res.writableLength > this.options.maxBufferBytes / 2 && !(await this.drained())) {
        this.end('slow_consumer');
        return;
      }
    }
    if (!this.isOpen) return;
    if (this.droppedMaxId > this.lastId) {
      // Something newer than the replay was dropped: end cleanly so the client resumes from its
      // last id (Last-Event-ID) instead of missing it.
      this.end('slow_consumer');
      return;
    }
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) this.write(event);
    if (!this.isOpen) return;
    this.heartbeat = setInterval(() => this.send(': heartbeat\n\n'), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  deliver(event: StreamEvent): void {
    if (!this.isOpen || !this.options.topics.has(event.type)) return;
    if (this.held) {
      if (this.heldBytes + event.frame.length > this.options.maxBufferBytes) {
        this.droppedMaxId = Math.max(this.droppedMaxId, event.id);
        return;
      }
      this.held.push(event);
      this.heldBytes += event.frame.length;
      return;
    }
    this.write(event);
  }

  /** Ends the stream with a final `event: error` naming the reason; the socket is destroyed if it will not flush. */
  end(reason: StreamEndReason): void {
    if (!this.isOpen) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.held = undefined;
    if (this.res.headersSent) {
      this.res.write(`event: error\ndata: ${JSON.stringify({ reason, detail: END_DETAIL[reason] })}\n\n`);
      this.options.onSent('error');
      this.res.end();
    } else {
      this.res.destroy();
    }
    // A client that stopped reading never lets end() flush: free the socket and its buffer.
    setTimeout(() => {
      if (!this.closed) this.res.destroy();
    }, END_GRACE_MS).unref();
  }

  /** Gives up before anything was sent (the replay failed): the caller answers with a problem instead. */
  abandon(): void {
    this.onClose();
  }

  private drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (drained: boolean): void => {
        clearTimeout(timer);
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        resolve(drained);
      };
      const onDrain = (): void => finish(true);
      const onClose = (): void => finish(false);
      const timer = setTimeout(() => finish(false), REPLAY_DRAIN_MS);
      this.res.on('drain', onDrain);
      this.res.on('close', onClose);
    });
  }

  /** Resolves once the response is closed. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.res.once('close', () => resolve()));
  }

  private write(event: StreamEvent): void {
    if (!this.isOpen || event.id <= this.lastId) return;
    this.lastId = event.id;
    this.send(event.frame);
    this.options.onSent(event.type);
  }

  private send(frame: string): void {
    if (!this.isOpen) return;
    this.res.write(frame);
    // Node buffers whatever the socket does not take: past the bound the client is not keeping up.
    if (this.res.writableLength > this.options.maxBufferBytes) this.end('slow_consumer');
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    this.held = undefined;
    clearInterval(this.heartbeat);
    this.options.onClosed(this);
  }
}
