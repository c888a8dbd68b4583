import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem, WorkLimiter } from '@app/common';

/**
 * At most `limit` requests are worked on at once; the others wait, in arrival order, before
 * anything is done for them. Under overload (a thousand connections on two cores) every
 * admitted request then finishes in a few milliseconds instead of a thousand of them advancing
 * together for hundreds: the work is the same, but nothing a request allocates lives long
 * enough to be promoted to the old generation, so the process stays small and spends less on
 * garbage collection (docs/benchmarks.md, S6). A request whose client leaves while it waits
 * is dropped from the line. Beyond `maxQueued` waiting, new requests are refused with 503 and
 * `Retry-After` (load shed, not a crash). `bypass` requests (health probes, metrics scrapes,
 * long-lived streams) never wait and never take a place.
 */
export function admissionControl(
  limit: number,
  maxQueued: number,
  bypass: (req: Request) => boolean,
): RequestHandler & { readonly active: number; readonly queued: number } {
  const limiter = new WorkLimiter(limit, maxQueued);
  const leave = (): void => limiter.leave();
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
  }) as RequestHandler & { readonly active: number; readonly queued: number };
}
