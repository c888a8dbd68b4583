import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { type AppConfig, type Environment, loadConfig } from '@app/config';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp, NEST_APP_OPTIONS } from '../../apps/api/src/configure-app';
import { ENV_REDIS_SKIP, ENV_REDIS_URL } from '../setup/services';
import { createSchema, dropSchema, schemaUrl } from './database';

export { baseDatabaseUrl, createSchema, dropSchema, schemaUrl, withClient } from './database';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** The Postgres schema this app (and any sibling sharing it) lives in. */
  schema: string;
  dataSource: DataSource;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Environment on top of the test defaults (`undefined` removes a variable). */
  env?: Environment;
  /** Reuse another app's schema: two instances over the same database. */
  schema?: string;
  /** Connect to the suite's Redis (default: when one is available). */
  redis?: boolean;
  /** Reach Postgres through another address (a cuttable proxy) instead of TEST_DATABASE_URL. */
  databaseUrl?: string;
  /** Extra controllers a test needs beside the real AppModule. */
  extraControllers?: Type[];
}

export const redisSkipReason = (): string | undefined => process.env[ENV_REDIS_SKIP];

/** `describe`, or, outside CI with no Redis to be had, a skip whose reason was printed by global setup. */
export const describeWithRedis: jest.Describe = redisSkipReason() ? describe.skip : describe;

/** The configuration a test app gets: real services, a private schema and Redis key prefix. */
export function testConfig(schema: string, options: TestAppOptions = {}): AppConfig {
  const redisUrl = options.redis === false ? undefined : process.env[ENV_REDIS_URL];
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    DATABASE_URL: schemaUrl(schema, options.databaseUrl),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tapi-e2e-data-')),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${schema}:`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    // Replicas over one schema share one audit chain, so they share its key, as in production.
    AUDIT_HMAC_KEY: createHash('sha256').update(`audit-key:${schema}`).digest('hex'),
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  return loadConfig(env);
}

/**
 * The real AppModule on real Postgres and Redis, configured exactly as main.ts does
 * (`configureApp`), in a schema of its own so suites run in parallel without sharing rows.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownsSchema = options.schema === undefined;
  const schema = options.schema ?? (await createSchema());
  const config = testConfig(schema, options);
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
    controllers: options.extraControllers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ ...NEST_APP_OPTIONS, logger: ['error'] });
  configureApp(app, config);
  await app.init();
  let closed = false;
  return {
    app,
    config,
    schema,
    dataSource: app.get(DataSource),
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      if (ownsSchema) await dropSchema(schema);
    },
  };
}
