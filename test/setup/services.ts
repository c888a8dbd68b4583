/**
 * Where the e2e suites find Postgres and Redis. Resolved once by global-setup (which may
 * start private fallbacks) and handed to the workers through these environment variables.
 */
export const ENV_DATABASE_URL = 'TEST_DATABASE_URL';
export const ENV_REDIS_URL = 'TEST_REDIS_URL';
export const ENV_REDIS_SKIP = 'TEST_REDIS_SKIP_REASON';
export const ENV_DATABASE_KIND = 'TEST_DATABASE_KIND';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/1';

export const inCi = (): boolean => /^(1|true|yes)$/i.test(process.env.CI ?? '');
