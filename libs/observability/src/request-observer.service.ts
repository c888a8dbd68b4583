import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from './logger';
import { isOperationalRequest, requestPath } from '@app/common';
import { routeTemplate } from './request-route';
import { activeTraceId } from './trace-context';

const USER_AGENT_MAX = 512;
/** nginx's convention for "the client went away before we answered". */
export const CLIENT_CLOSED_REQUEST = 499;

/** Everything known about a request once its response is over. */
export interface CompletedRequest {
  readonly startedAt: Date;
  readonly requestId: string;
  /** Username, else token subject, else `anonymous`. */
  readonly actor: string;
  readonly tokenId?: string;
  readonly ip?: string;
  readonly method: string;
  /** Route template; undefined when no route matched. */
  readonly route?: string;
  /** Path without the query string. */
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly userAgent?: string;
  readonly traceId?: string;
  /** The client closed the connection before the response was complete. */
  readonly aborted: boolean;
}

export type RequestListener = (request: CompletedRequest) => void;

/**
 * The one place where every response ends: installed as the first middleware after the
 * request id, it sees the responses of guards, the throttler, validation, the body parser
 * and the 404 handler alike (an interceptor sees only routed requests). Audit, metrics and
 * the access log subscribe here instead of each wrapping the response. Operational requests
 * (health, metrics, docs, preflights) are left out before anything is recorded.
 */
@Injectable()
export class RequestObserver {
  private readonly listeners: RequestListener[] = [];

  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  onRequestCompleted(listener: RequestListener): void {
    this.listeners.push(listener);
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    // Health probes, scrapes, docs assets and CORS preflights are neither audited, counted nor
    // logged (docs/observability.md): they are not observed at all, so a probe costs nothing here.
    if (isOperationalRequest(req)) return next();
    const startedAt = new Date();
    const start = process.hrtime.bigint();
    const traceId = activeTraceId();
    let done = false;
    const complete = (): void => {
      if (done) return;
      done = true;
      const aborted = !res.writableFinished;
      const principal = req.principal;
      const userAgent = req.headers['user-agent'];
      const completed: CompletedRequest = {
        startedAt,
        requestId: req.requestId,
        actor: principal?.username ?? principal?.sub ?? 'anonymous',
        tokenId: principal?.tokenId,
        ip: req.ip,
        method: req.method,
        route: routeTemplate(req),
        path: requestPath(req),
        status: aborted ? CLIENT_CLOSED_REQUEST : res.statusCode,
        durationMs: Number(process.hrtime.bigint() - start) / 1e6,
        userAgent: typeof userAgent === 'string' ? userAgent.slice(0, USER_AGENT_MAX) : undefined,
        traceId,
        aborted,
      };
      this.logAccess(completed);
      for (const listener of this.listeners) {
        try {
          listener(completed);
        } catch (error) {
          this.logger.error({ err: error }, 'request listener failed');
        }
      }
    };
    // 'close' follows 'finish' on every response, and is the only event when the client left
    // first: one listener sees both, and `writableFinished` tells them apart.
    res.on('close', complete);
    next();
  };

  private logAccess(r: CompletedRequest): void {
    const level = r.status >= 500 ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    this.logger[level](
      {
        request_id: r.requestId,
        ...(r.traceId ? { trace_id: r.traceId } : {}),
        actor: r.actor,
        method: r.method,
        route: r.route ?? null,
        path: r.path,
        status: r.status,
        duration_ms: Math.round(r.durationMs * 1000) / 1000,
        ...(r.aborted ? { aborted: true } : {}),
      },
      'request completed',
    );
  }
}
