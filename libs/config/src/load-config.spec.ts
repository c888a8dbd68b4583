import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig, parseDurationSeconds, parseSizeBytes } from './load-config';

const STRONG_SECRET = 'k9'.repeat(24);
const AUDIT_KEY = 'a7'.repeat(20);
/** Production with its required external database and audit key, so each test sees only the rule it is about. */
const PROD = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://api:s3cret-value@db:5432/api',
  AUDIT_HMAC_KEY: AUDIT_KEY,
} as const;

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('gives the zero-setup defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.database).toMatchObject({ embedded: true, url: undefined, migrationsRun: true, poolMax: 10 });
    expect(config.database.dataDir).toBe(join(process.cwd(), 'data'));
    expect(config.demoData).toBe(true);
    expect(config.redis.url).toBeUndefined();
    expect(config.jwt).toMatchObject({
      algorithm: 'HS256',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 86400,
      sessionMaxAgeSeconds: 30 * 86400,
    });
    expect(config.loginLockout).toEqual({ threshold: 5, ipThreshold: 20, windowSeconds: 900 });
    expect(config.http).toMatchObject({
      corsOrigins: ['http://localhost:3000', 'http://localhost:8501'],
      trustProxy: false,
      bodyLimitBytes: 256 * 1024,
      ingestBodyLimitBytes: 4 * 1024 * 1024,
    });
    expect(config.rateLimit).toEqual({
      enabled: true,
      burst: 10,
      perMinute: 60,
      perHour: 1000,
      blockSeconds: 60,
      hourBlockSeconds: 3600,
    });
    expect(config.transparency.publicRead).toBe(false);
  });

  it('switches DEMO_DATA off by default once DATABASE_URL points at a real server', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/app' });
    expect(config.database.embedded).toBe(false);
    expect(config.demoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/app', DEMO_DATA: 'true' }).demoData).toBe(true);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '  ' })).toMatchObject({ port: 8000, redis: { url: undefined } });
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DB_POOL_MAX: '0',
      RATE_LIMIT_ENABLED: 'maybe',
      LOG_LEVEL: 'loud',
      BODY_LIMIT: 'big',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'BODY_LIMIT',
      'DB_POOL_MAX',
      'LOG_LEVEL',
      'PORT',
      'RATE_LIMIT_ENABLED',
    ]);
    expect(problems.find((p) => p.startsWith('PORT'))).toContain('must be an integer port number');
  });

  it('gives each kind of variable its own message, the first failed check only', () => {
    const problems = problemsOf({
      PORT: '70000',
      DB_POOL_MAX: '1.5',
      STREAM_HEARTBEAT_MS: '10',
      MIGRATIONS_RUN: 'perhaps',
      ACCESS_TOKEN_TTL: 'a while',
      INGEST_BODY_LIMIT: '4 tb',
      AUDIT_SPILL_MAX_BYTES: 'lots',
      NODE_ENV: 'staging',
      JWT_KID: 'a kid',
      JWT_ISSUER: 'i'.repeat(257),
      JWT_PRIVATE_KEY: 'not a key',
      ADMIN_PASSWORD: 'short',
      METRICS_TOKEN: 'tiny',
    });
    expect([...problems].sort()).toEqual([
      'ACCESS_TOKEN_TTL: must be a duration such as 900, 15m, 12h or 30d (got "a while")',
      'ADMIN_PASSWORD: must be at least 12 characters',
      'AUDIT_SPILL_MAX_BYTES: must be a size such as 268435456, 262144kb or 256mb (got "lots")',
      'DB_POOL_MAX: must be an integer (got "1.5")',
      'INGEST_BODY_LIMIT: must be a size such as 262144, 256kb or 4mb (got "4 tb")',
      `JWT_ISSUER: must be shorter than or equal to 256 characters (got "${'i'.repeat(80)}")`,
      'JWT_KID: must be 1-64 chars of [A-Za-z0-9._-] (got "a kid")',
      'JWT_PRIVATE_KEY: must be a PEM private key',
      'METRICS_TOKEN: must be at least 16 characters',
      'MIGRATIONS_RUN: must be true or false (got "perhaps")',
      'NODE_ENV: must be one of development, production, test (got "staging")',
      'PORT: must not be greater than 65535 (got "70000")',
      'STREAM_HEARTBEAT_MS: must not be less than 50 (got "10")',
    ]);
  });

  it('refuses, in production, a missing or short HS256 secret, placeholders and CORS *', () => {
    expect(problemsOf({ ...PROD })).toEqual(['JWT_SECRET: required in production when JWT_ALGORITHM is HS256']);
    expect(problemsOf({ ...PROD, JWT_SECRET: 'x'.repeat(31) })[0]).toMatch(/too short/);
    const placeholder = problemsOf({ ...PROD, JWT_SECRET: `change-me-${STRONG_SECRET}` });
    expect(placeholder[0]).toMatch(/^JWT_SECRET: still the placeholder/);
    expect(problemsOf({ ...PROD, JWT_SECRET: STRONG_SECRET, CORS_ORIGINS: '*' })[0]).toMatch(
      /^CORS_ORIGINS: "\*" is refused in production/,
    );
    expect(loadConfig({ ...PROD, JWT_SECRET: STRONG_SECRET }).isProduction).toBe(true);
  });

  it('refuses the embedded database in production: DATABASE_URL is required', () => {
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, AUDIT_HMAC_KEY: AUDIT_KEY })).toEqual([
      'DATABASE_URL: required in production (the embedded database is for development only)',
    ]);
    expect(loadConfig({ NODE_ENV: 'development' }).database.embedded).toBe(true);
  });

  it('reads SESSION_MAX_AGE as a duration and refuses garbage or zero', () => {
    expect(loadConfig({ SESSION_MAX_AGE: '12h' }).jwt.sessionMaxAgeSeconds).toBe(12 * 3600);
    expect(problemsOf({ SESSION_MAX_AGE: 'forever' })[0]).toMatch(/^SESSION_MAX_AGE: must be a duration/);
    expect(problemsOf({ SESSION_MAX_AGE: '0d' })).toEqual(['SESSION_MAX_AGE: must be longer than 0 seconds']);
  });

  it('refuses an asymmetric algorithm without its private key in production', () => {
    expect(problemsOf({ ...PROD, JWT_ALGORITHM: 'ES256' })).toEqual([
      'JWT_PRIVATE_KEY: required in production when JWT_ALGORITHM is ES256',
    ]);
    expect(problemsOf({ ...PROD, JWT_ALGORITHM: 'RS256' })).toEqual([
      'JWT_PRIVATE_KEY: required in production when JWT_ALGORITHM is RS256',
    ]);
  });

  it('offers what @nestjs/jwt signs: HS256, RS256, ES256, and no longer EdDSA', () => {
    for (const algorithm of ['HS256', 'RS256', 'ES256'] as const) {
      expect(loadConfig({ JWT_ALGORITHM: algorithm }).jwt.algorithm).toBe(algorithm);
    }
    expect(problemsOf({ JWT_ALGORITHM: 'EdDSA' })[0]).toMatch(/^JWT_ALGORITHM: must be one of HS256, RS256, ES256/);
  });

  it('requires a strong AUDIT_HMAC_KEY in production (or its file), and none elsewhere', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: PROD.DATABASE_URL, JWT_SECRET: STRONG_SECRET };
    expect(problemsOf(prod)).toEqual(['AUDIT_HMAC_KEY: required in production (at least 32 characters)']);
    expect(problemsOf({ ...prod, AUDIT_HMAC_KEY: 'short-key' })[0]).toMatch(/^AUDIT_HMAC_KEY: must be at least 32/);
    expect(problemsOf({ ...prod, AUDIT_HMAC_KEY: `change-me-${AUDIT_KEY}` })[0]).toMatch(/placeholder/);
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'audit_key');
    writeFileSync(file, `${AUDIT_KEY}\n`);
    expect(loadConfig({ ...prod, AUDIT_HMAC_KEY_FILE: file }).audit.hmacKey).toBe(AUDIT_KEY);
    expect(loadConfig({}).audit).toMatchObject({ hmacKey: undefined, spillMaxBytes: 256 * 1024 * 1024 });
    expect(loadConfig({ AUDIT_SPILL_MAX_BYTES: '64kb' }).audit.spillMaxBytes).toBe(65536);
    expect(problemsOf({ AUDIT_SPILL_MAX_BYTES: 'lots' })[0]).toMatch(/^AUDIT_SPILL_MAX_BYTES: must be a size/);
  });

  it('never echoes a secret value in a problem', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x', METRICS_TOKEN: 'short-s3cret' });
    expect(problems.join('\n')).not.toMatch(/hunter2|short-s3cret/);
    expect(problems).toHaveLength(2);
  });

  it('reads *_FILE secrets from files and refuses both forms at once or an unreadable file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const secretFile = join(dir, 'jwt_secret');
    writeFileSync(secretFile, `${STRONG_SECRET}\n`);
    expect(loadConfig({ JWT_SECRET_FILE: secretFile }).jwt.secret).toBe(STRONG_SECRET);
    expect(problemsOf({ JWT_SECRET_FILE: secretFile, JWT_SECRET: STRONG_SECRET })[0]).toMatch(/set only one/);
    expect(problemsOf({ ADMIN_PASSWORD_FILE: join(dir, 'missing') })[0]).toMatch(
      /^ADMIN_PASSWORD_FILE: cannot read .*ENOENT/,
    );
  });

  it('parses TRUST_PROXY as off, a hop count or a list of addresses, and refuses "true" and garbage', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, ::1' }).http.trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '::1',
    ]);
    expect(problemsOf({ TRUST_PROXY: 'true' })[0]).toMatch(/^TRUST_PROXY/);
    expect(problemsOf({ TRUST_PROXY: '10.0.0.0/99' })[0]).toMatch(/^TRUST_PROXY/);
    expect(problemsOf({ TRUST_PROXY: 'example.com' })[0]).toMatch(/^TRUST_PROXY/);
  });

  it('parses JWT_PUBLIC_KEYS as a JSON map of kid to PEM and refuses anything else', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----';
    expect(loadConfig({ JWT_PUBLIC_KEYS: JSON.stringify({ old: pem }) }).jwt.publicKeys).toEqual({ old: pem });
    expect(problemsOf({ JWT_PUBLIC_KEYS: '[1]' })[0]).toMatch(/^JWT_PUBLIC_KEYS/);
    expect(problemsOf({ JWT_PUBLIC_KEYS: '{"k":"not a key"}' })[0]).toMatch(/^JWT_PUBLIC_KEYS: key "k"/);
  });

  it('refuses CORS entries that are not origins', () => {
    expect(problemsOf({ CORS_ORIGINS: 'https://a.example/path' })[0]).toMatch(/^CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://b.example:8080' }).http.corsOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
  });
});

describe('size and duration parsing', () => {
  it.each([
    ['262144', 262144],
    ['256kb', 262144],
    ['4mb', 4194304],
    ['1 GB', 1073741824],
  ])('size %s is %d bytes', (input, bytes) => expect(parseSizeBytes(input)).toBe(bytes));

  it.each([
    ['900', 900],
    ['15m', 900],
    ['12h', 43200],
    ['30d', 2592000],
  ])('duration %s is %d seconds', (input, seconds) => expect(parseDurationSeconds(input)).toBe(seconds));
});
