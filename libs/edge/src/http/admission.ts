import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem, WorkLimiter } from '@app/common';

/**
 * Fewer places while new connections arrive in a burst. Node's libuv accepts one connection
 * per turn of the event loop, and a turn runs the ready work of every request in flight: with
 * many places, a thousand connections opened at once wait seconds to be accepted, and clients
 * time out without the server ever seeing their requests. Fewer places make the turns short
 * while the burst is accepted (docs/benchmarks.md, "Connection storms").
 */
export interface ConnectionStormPolicy {
  /** Places while a burst lasts. */
  limit: number;
  /** New connections within `windowMs` that make a burst. */
  connections: number;
  windowMs: number;
  /** How long the lower limit stays after the last burst. */
  holdMs: number;
}

export type AdmissionControl = RequestHandler & {
  readonly active: number;
  readonly queued: number;
  /** Places right now: `limit`, or the storm policy's during a burst of new connections. */
  readonly limit: number;
  /** To be called for every connection the server accepts (its `connection` event). */
  readonly connectionAccepted: () => void;
};

/**
 * At most `limit` requests are worked on at once; the others wait, in arrival order, before
 * anything is done for them. Under overload (a thousand connections on two cores) every
 * admitted request then finishes in a few milliseconds instead of a thousand of them advancing
 * together for hundreds: the work is the same, but nothing a request allocates lives long
 * enough to be promoted to the old generation, so the process stays small and spends less on
 * garbage collection (docs/benchmarks.md, S6). A request whose client leaves while it waits
 * is dropped from the line. Beyond `maxQueued` waiting, new requests are refused with 503 and
 * `Retry-After` (load shed, not a crash). `bypass` requests (health probes, metrics scrapes,
 * long-lived streams) never wait and never take a place. With a `storm` policy, the limit drops
 * to the policy's while new connections arrive in a burst (`connectionAccepted`).
 */
export function admissionControl(
  limit: number,
  maxQueued: number,
  bypass: (req: Request) => boolean,
  storm?: ConnectionStormPolicy,
): AdmissionControl {
  const limiter = new WorkLimiter(limit, maxQueued);
  const leave = (): void => limiter.leave();
  let windowStart = Number.NEGATIVE_INFINITY;
  let inWindow = 0;
  let stormUntil = 0;
  const restoreLater = (ms: number): void => {
    setTimeout(() => {
      const left = stormUntil - performance.now();
      if (left > 0) restoreLater(left);
      else limiter.setLimit(limit);
    }, ms).unref();
  };
  // A policy that would not lower the limit does nothing.
  const stormLimit = storm ? Math.min(storm.limit, limit) : limit;
  const connectionAccepted = (): void => {
    if (!storm || stormLimit === limit) return;
    const now = performance.now();
    if (now - windowStart > storm.windowMs) {
      windowStart = now;
      inWindow = 0;
    }
    if (++inWindow < storm.connections) return;
    stormUntil = now + storm.holdMs;
    if (limiter.limit === limit) {
      limiter.setLimit(stormLimit);
      restoreLater(storm.holdMs);
    }
  };
  const handler = (req: Request, res: Response, next: NextFunction): void => {
    if (bypass(req)) return next();
    const outcome = limiter.enter(() => {
      if (res.destroyed || res.writableEnded) return false;
      res.once('close', leave);
      next();
      return true;
    });
    if (outcome === 'full') {
      sendProblem(req, res, { status: 503, detail: 'The server is saturated; retry shortly.' }, { 'Retry-After': '1' });
    }
  };
  return Object.defineProperties(handler, {
    active: { get: () => limiter.active },
    queued: { get: () => limiter.queued },
    limit: { get: () => limiter.limit },
    connectionAccepted: { value: connectionAccepted },
  }) as AdmissionControl;
}
