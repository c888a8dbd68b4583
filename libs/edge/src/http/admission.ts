import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from '@app/common';

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
  let active = 0;
  const waiting: { req: Request; res: Response; next: NextFunction }[] = [];
  let head = 0;

  const release = (): void => {
    while (head < waiting.length) {
      const turn = waiting[head];
      head++;
      if (head > 1024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      if (turn.res.destroyed || turn.res.writableEnded) continue;
      admit(turn.res, turn.next);
      return;
    }
    active--;
  };

  const admit = (res: Response, next: NextFunction): void => {
    res.once('close', release);
    next();
  };

  const handler = (req: Request, res: Response, next: NextFunction): void => {
    if (bypass(req)) return next();
    if (active < limit) {
      active++;
      return admit(res, next);
    }
    if (waiting.length - head >= maxQueued) {
      sendProblem(req, res, { status: 503, detail: 'The server is saturated; retry shortly.' }, { 'Retry-After': '1' });
      return;
    }
    waiting.push({ req, res, next });
  };
  return Object.defineProperties(handler, {
    active: { get: () => active },
    queued: { get: () => waiting.length - head },
  }) as RequestHandler & { readonly active: number; readonly queued: number };
}
