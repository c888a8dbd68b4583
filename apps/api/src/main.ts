import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigValidationError, loadConfig } from '@app/config';
import { AppModule } from './app.module';
import { configureApp, NEST_APP_OPTIONS } from './configure-app';
import { installGracefulShutdown } from './shutdown';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const logger = new Logger('Bootstrap');
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), NEST_APP_OPTIONS);
  configureApp(app, config);
  installGracefulShutdown(app, config, logger);
  await app.listen(config.port);
  logger.log(
    `Transparency API listening on port ${config.port} (${config.nodeEnv}, database ${config.database.embedded ? 'embedded' : 'external'})`,
  );
}

bootstrap().catch((error: unknown) => {
  // One clear line, no stack: configuration and startup problems are for operators.
  const message = error instanceof ConfigValidationError || error instanceof Error ? error.message : String(error);
  console.error(`Startup failed: ${message}`);
  process.exit(1);
});
