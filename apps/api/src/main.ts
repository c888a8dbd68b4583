// First: the heap's growth policy, then tracing, which instruments http, express, pg and
// ioredis as they load.
import './memory-policy';
import './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigValidationError, loadConfig } from '@app/config';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { startupBanner } from './banner';
import { configureApp, NEST_APP_OPTIONS } from './configure-app';
import { installGracefulShutdown } from './shutdown';

const LISTEN_BACKLOG = 4096;

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const logger = new Logger('Bootstrap');
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    ...NEST_APP_OPTIONS,
    // Held until the JSON logger is in place, so that every line is structured.
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoNestLogger));
  configureApp(app, config);
  installGracefulShutdown(app, config, logger);
  // Node's default accept queue (511) overflows when a thousand clients connect at once: the
  // kernel drops their SYNs, and a client retrying after 1, 3, 7 s times out although the
  // process had capacity (bench S6). The kernel caps this at net.core.somaxconn. Nest's
  // `listen` hands its arguments to `http.Server.listen`, which takes this options object.
  await app.listen({ port: config.port, backlog: LISTEN_BACKLOG } as unknown as number);
  logger.log(
    `Transparency API listening on port ${config.port} (${config.nodeEnv}, database ${config.database.embedded ? 'embedded' : 'external'})`,
  );
  // Last, so a newcomer finds where to go next at the bottom of the startup output.
  for (const line of startupBanner(config)) logger.log(line);
}

bootstrap().catch((error: unknown) => {
  // One clear line, no stack: configuration and startup problems are for operators.
  const message = error instanceof ConfigValidationError || error instanceof Error ? error.message : String(error);
  console.error(`Startup failed: ${message}`);
  process.exit(1);
});
