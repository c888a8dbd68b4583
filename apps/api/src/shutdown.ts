import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { AppLifecycle } from '@app/common';
import type { AppConfig } from '@app/config';

/**
 * After the drain, the listener stays open until nothing new (connection or request) has
 * arrived for this long: what the kernel queued, and requests already in transit on
 * keep-alive connections, are answered instead of reset.
 */
const QUIET_MS = 250;
/** Under unbroken traffic (nobody took us out of the load balancer) the listener closes anyway. */
const MAX_LINGER_MS = 2000;
const SWEEP_MS = 100;

/**
 * SIGTERM/SIGINT, in order:
 * 1. readiness turns 503 and every response from now on says `Connection: close`, so each
 *    keep-alive connection ends after its next answer instead of being cut under a request;
 * 2. SHUTDOWN_DRAIN_MS (time for the load balancer to notice) with everything still served;
 * 3. the listener keeps accepting until arrivals stop (QUIET_MS, at most MAX_LINGER_MS):
 *    closing it drops whatever waits in the kernel's accept queue, so it closes only once
 *    that queue has been quiet;
 * 4. the listener closes, idle connections are closed, in-flight requests finish;
 * 5. modules flush (the audit queue) and close their pools; exit 0.
 * A shutdown that outlives SHUTDOWN_TIMEOUT_MS exits 1 rather than hang.
 */
export function installGracefulShutdown(app: INestApplication, config: AppConfig, logger: LoggerService): void {
  let started = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (started) return;
    started = true;
    logger.log(`${signal} received: draining`);
    app.get(AppLifecycle).beginShutdown();
    const deadline = setTimeout(() => {
      logger.error(`Shutdown exceeded ${config.http.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    deadline.unref();
    try {
      const server = app.getHttpServer() as Server;
      const arrivals = closeEveryConnectionAfterItsAnswer(server);
      if (config.http.shutdownDrainMs > 0)
        await new Promise((resolve) => setTimeout(resolve, config.http.shutdownDrainMs));
      await lingerUntilQuiet(arrivals);
      // Bounded like the audit's own wait, so a request that never ends cannot cost the
      // flush of everyone else's records.
      const open = await closeListener(server, Math.round(config.http.shutdownTimeoutMs * 0.6));
      if (open > 0) logger.warn(`${open} connections still open after the wait; closing anyway`);
      await app.close();
      logger.log('Closed cleanly');
      process.exit(0);
    } catch (error) {
      logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown(signal));
  }
}

/** When something last arrived, kept current by the listeners installed at the signal. */
interface Arrivals {
  last: number;
}

function closeEveryConnectionAfterItsAnswer(server: Server): Arrivals {
  const arrivals: Arrivals = { last: Date.now() };
  // Prepended, so the header is set before Express (the first listener) can answer.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    arrivals.last = Date.now();
    if (!res.headersSent) res.setHeader('Connection', 'close');
  });
  server.prependListener('connection', () => (arrivals.last = Date.now()));
  return arrivals;
}

async function lingerUntilQuiet(arrivals: Arrivals): Promise<void> {
  const giveUpAt = Date.now() + MAX_LINGER_MS;
  for (;;) {
    const quietUntil = arrivals.last + QUIET_MS;
    const now = Date.now();
    if (now >= quietUntil || now >= giveUpAt) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(quietUntil, giveUpAt) - now));
  }
}

/**
 * Closes the listener and waits for the open connections to end: each ends after its answer
 * (`Connection: close`); one that is idle, having answered before the signal, is closed here.
 * Resolves with how many were still open when the wait ran out.
 */
async function closeListener(server: Server, timeoutMs: number): Promise<number> {
  if (!server.listening) return 0;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweeper = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
  ]);
  clearTimeout(timer);
  clearInterval(sweeper);
  if (!timedOut) return 0;
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
