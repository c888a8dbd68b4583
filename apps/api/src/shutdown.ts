import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { AppLifecycle } from '@app/common';
import type { AppConfig } from '@app/config';

/**
 * SIGTERM/SIGINT: readiness turns 503 at once; after SHUTDOWN_DRAIN_MS (time for the load
 * balancer to notice) the listener stops accepting, in-flight requests finish, modules
 * close their pools and queues, and the process exits 0. A shutdown that outlives
 * SHUTDOWN_TIMEOUT_MS exits 1 rather than hang.
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
      if (config.http.shutdownDrainMs > 0)
        await new Promise((resolve) => setTimeout(resolve, config.http.shutdownDrainMs));
      // server.close() only closes connections idle at that moment; a keep-alive connection
      // whose request finishes later would hold the shutdown for the whole keep-alive timeout.
      const server = app.getHttpServer() as Server;
      const sweeper = setInterval(() => server.closeIdleConnections(), 100);
      await app.close();
      clearInterval(sweeper);
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
