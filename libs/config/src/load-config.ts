import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { AppConfig, type TrustProxySetting } from './app-config';
import { EnvDto, FILE_BACKED_VARIABLES } from './env.dto';

export type Environment = Readonly<Record<string, string | undefined>>;

const DEFAULT_CORS_ORIGINS = ['http://localhost:3000', 'http://localhost:8501'];
const DEFAULT_ISSUER = 'transparency-api';
const DEFAULT_AUDIENCE = 'transparency-api';
const MIN_HS256_SECRET_BYTES = 32;
/** Values shipped in `.env.example` all contain this marker; production refuses them. */
const PLACEHOLDER_PATTERN = /change[-_]?me|placeholder|replace[-_]?me/i;

/** Every problem with the environment, in one error, so an operator fixes them in one go. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/**
 * Reads, validates and types the environment. Plain function, no Nest: tracing and the
 * CLI call it before any module exists; `ConfigModule` provides its result. Without an
 * argument it reads the process environment, after a `.env` file in the working directory
 * (if any) has filled the variables the environment leaves unset; an explicit `env` (tests)
 * is taken as it is.
 */
export function loadConfig(env?: Environment): AppConfig {
  const problems: string[] = [];
  const source = env ?? processEnvironment(problems);
  const raw = resolveFileVariables(source, problems);
  const dto = validateShapes(raw, problems);
  const derived = deriveSettings(dto, problems);
  checkProductionRules(dto, derived, problems);
  if (derived.algorithm !== 'HS256' && dto.JWT_PRIVATE_KEY && !dto.JWT_KID) {
    problems.push('JWT_KID: required with JWT_PRIVATE_KEY, so verifiers can pick the key');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return buildConfig(dto, derived);
}

/** Settings computed from several variables or parsed beyond their shape. */
interface DerivedSettings {
  nodeEnv: AppConfig['nodeEnv'];
  isProduction: boolean;
  embedded: boolean;
  algorithm: AppConfig['jwt']['algorithm'];
  corsOrigins: string[];
  trustProxy: TrustProxySetting;
  publicKeys: Record<string, string>;
  durations: { access: number; refresh: number; session: number };
}

/** Each variable's own shape (EnvDto); a bad one is reported once and then treated as unset. */
function validateShapes(raw: Record<string, string | undefined>, problems: string[]): EnvDto {
  const dto = plainToInstance(EnvDto, raw, { enableImplicitConversion: false });
  for (const error of validateSync(dto, { whitelist: false, forbidUnknownValues: false, stopAtFirstError: true })) {
    problems.push(describe(error, raw[error.property]));
    // Already reported: the rules below see it as unset rather than report it twice.
    delete (dto as unknown as Record<string, unknown>)[error.property];
  }
  return dto;
}

function deriveSettings(dto: EnvDto, problems: string[]): DerivedSettings {
  const nodeEnv = dto.NODE_ENV ?? 'development';
  const isProduction = nodeEnv === 'production';
  const corsOrigins = parseCorsOrigins(dto.CORS_ORIGINS, isProduction, problems);
  const trustProxy = parseTrustProxy(dto.TRUST_PROXY, problems);
  const publicKeys = parsePublicKeys(dto.JWT_PUBLIC_KEYS, problems);
  return {
    nodeEnv,
    isProduction,
    embedded: dto.DATABASE_URL === undefined,
    algorithm: dto.JWT_ALGORITHM ?? 'HS256',
    corsOrigins,
    trustProxy,
    publicKeys,
    durations: parseTokenDurations(dto, problems),
  };
}

function parseCorsOrigins(value: string | undefined, isProduction: boolean, problems: string[]): string[] {
  const origins = parseList(value) ?? DEFAULT_CORS_ORIGINS;
  for (const origin of origins) {
    if (origin === '*') {
      if (isProduction) problems.push('CORS_ORIGINS: "*" is refused in production; list the allowed origins');
    } else if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path)`);
    }
  }
  return origins;
}

function parseTokenDurations(dto: EnvDto, problems: string[]): DerivedSettings['durations'] {
  const durations = {
    access: parseDurationSeconds(dto.ACCESS_TOKEN_TTL ?? '15m'),
    refresh: parseDurationSeconds(dto.REFRESH_TOKEN_TTL ?? '30d'),
    session: parseDurationSeconds(dto.SESSION_MAX_AGE ?? '30d'),
  };
  for (const [name, seconds] of [
    ['ACCESS_TOKEN_TTL', durations.access],
    ['REFRESH_TOKEN_TTL', durations.refresh],
    ['SESSION_MAX_AGE', durations.session],
  ] as const) {
    if (!(seconds > 0)) problems.push(`${name}: must be longer than 0 seconds`);
  }
  return durations;
}

/** What production requires beyond each variable's shape: real secrets, an external database. */
function checkProductionRules(dto: EnvDto, { isProduction, embedded, algorithm }: DerivedSettings, problems: string[]) {
  if (!isProduction) return;
  if (embedded) {
    // The embedded PGlite is one process's file store: no replication, backups or second replica.
    problems.push('DATABASE_URL: required in production (the embedded database is for development only)');
  }
  if (algorithm === 'HS256') {
    if (!dto.JWT_SECRET) {
      problems.push('JWT_SECRET: required in production when JWT_ALGORITHM is HS256');
    } else if (Buffer.byteLength(dto.JWT_SECRET, 'utf8') < MIN_HS256_SECRET_BYTES) {
      problems.push(`JWT_SECRET: too short for production (at least ${MIN_HS256_SECRET_BYTES} bytes)`);
    }
  } else if (!dto.JWT_PRIVATE_KEY) {
    problems.push(`JWT_PRIVATE_KEY: required in production when JWT_ALGORITHM is ${algorithm}`);
  }
  // Replicas must share the key, and a generated one would live beside the data it protects.
  if (!dto.AUDIT_HMAC_KEY) problems.push('AUDIT_HMAC_KEY: required in production (at least 32 characters)');
  for (const name of PLACEHOLDER_CHECKED) {
    const value = dto[name];
    if (value && PLACEHOLDER_PATTERN.test(value)) {
      problems.push(`${name}: still the placeholder from .env.example; set a real value`);
    }
  }
}

const PLACEHOLDER_CHECKED = [
  'JWT_SECRET',
  'JWT_PRIVATE_KEY',
  'ADMIN_PASSWORD',
  'METRICS_TOKEN',
  'AUDIT_HMAC_KEY',
  'DATABASE_URL',
  'REDIS_URL',
] as const;

/** The typed configuration: validated values, else the documented defaults (docs/configuration.md). */
function buildConfig(dto: EnvDto, derived: DerivedSettings): AppConfig {
  const { nodeEnv, isProduction, embedded, algorithm, corsOrigins, trustProxy, publicKeys, durations } = derived;
  const config: AppConfig = {
    nodeEnv,
    isProduction,
    port: dto.PORT ?? 8000,
    logLevel: dto.LOG_LEVEL ?? 'info',
    demoData: dto.DEMO_DATA ?? embedded,
    database: {
      url: dto.DATABASE_URL,
      embedded,
      dataDir: resolve(dto.DATA_DIR ?? './data'),
      poolMax: dto.DB_POOL_MAX ?? 10,
      migrationsRun: dto.MIGRATIONS_RUN ?? true,
    },
    redis: { url: dto.REDIS_URL, keyPrefix: dto.REDIS_KEY_PREFIX ?? 'tapi:' },
    jwt: {
      algorithm,
      secret: dto.JWT_SECRET,
      privateKey: dto.JWT_PRIVATE_KEY,
      kid: dto.JWT_KID,
      publicKeys,
      issuer: dto.JWT_ISSUER ?? DEFAULT_ISSUER,
      audience: dto.JWT_AUDIENCE ?? DEFAULT_AUDIENCE,
      accessTokenTtlSeconds: durations.access,
      refreshTokenTtlSeconds: durations.refresh,
      sessionMaxAgeSeconds: durations.session,
    },
    admin: { username: dto.ADMIN_USERNAME, password: dto.ADMIN_PASSWORD },
    loginLockout: {
      threshold: dto.LOGIN_LOCKOUT_THRESHOLD ?? 5,
      ipThreshold: dto.LOGIN_LOCKOUT_IP_THRESHOLD ?? 20,
      windowSeconds: dto.LOGIN_LOCKOUT_WINDOW_SECONDS ?? 900,
    },
    http: {
      corsOrigins,
      trustProxy,
      bodyLimitBytes: parseSizeBytes(dto.BODY_LIMIT ?? '256kb'),
      ingestBodyLimitBytes: parseSizeBytes(dto.INGEST_BODY_LIMIT ?? '4mb'),
      shutdownDrainMs: dto.SHUTDOWN_DRAIN_MS ?? 0,
      shutdownTimeoutMs: dto.SHUTDOWN_TIMEOUT_MS ?? 25000,
    },
    rateLimit: {
      enabled: dto.RATE_LIMIT_ENABLED ?? true,
      burst: dto.RATE_LIMIT_BURST ?? 10,
      perMinute: dto.RATE_LIMIT_PER_MINUTE ?? 60,
      perHour: dto.RATE_LIMIT_PER_HOUR ?? 1000,
      blockSeconds: dto.RATE_LIMIT_BLOCK_SECONDS ?? 60,
      hourBlockSeconds: dto.RATE_LIMIT_HOUR_BLOCK_SECONDS ?? 3600,
    },
    transparency: { publicRead: dto.TRANSPARENCY_PUBLIC_READ ?? false },
    stream: {
      maxPerSubject: dto.STREAM_MAX_PER_SUBJECT ?? 5,
      heartbeatMs: dto.STREAM_HEARTBEAT_MS ?? 15000,
      maxBufferBytes: dto.STREAM_MAX_BUFFER_BYTES ?? 1048576,
    },
    audit: {
      batchSize: dto.AUDIT_BATCH_SIZE ?? 500,
      flushIntervalMs: dto.AUDIT_FLUSH_INTERVAL_MS ?? 1000,
      queueMax: dto.AUDIT_QUEUE_MAX ?? 10000,
      hmacKey: dto.AUDIT_HMAC_KEY,
      spillMaxBytes: parseSizeBytes(dto.AUDIT_SPILL_MAX_BYTES ?? '256mb'),
    },
    metrics: { token: dto.METRICS_TOKEN },
    tracing: { otlpEndpoint: dto.OTEL_EXPORTER_OTLP_ENDPOINT },
  };
  return Object.freeze(Object.setPrototypeOf(config, AppConfig.prototype) as AppConfig);
}

/** The `.env` file `loadConfig()` reads: in the working directory, as the quick start promised. */
export const DOT_ENV_FILE = '.env';

/**
 * Loads `path` into `process.env` when the file exists, with Node's own `.env` parser (the
 * one behind `process.loadEnvFile`). A variable already set is never overwritten: the real
 * environment wins over the file. Applied here rather than by `loadEnvFile` so that it lands
 * in the `process.env` object this module reads (jest gives each suite a copy of it).
 * Returns whether a file was loaded.
 */
export function loadDotEnv(path: string = resolve(DOT_ENV_FILE)): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
  return true;
}

function processEnvironment(problems: string[]): Environment {
  try {
    loadDotEnv();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${DOT_ENV_FILE}: present in ${process.cwd()} but cannot be read (${code})`);
  }
  return process.env;
}

/** `FOO_FILE=/run/secrets/foo` fills `FOO` from the file (trailing newline dropped). */
function resolveFileVariables(env: Environment, problems: string[]): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = { ...env };
  for (const name of FILE_BACKED_VARIABLES) {
    const path = env[`${name}_FILE`]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) {
      problems.push(`${name}_FILE: set together with ${name}; set only one of them`);
      continue;
    }
    try {
      raw[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${name}_FILE: cannot read ${path} (${code})`);
    }
  }
  return raw;
}

const SECRET_NAMES = new Set<string>(FILE_BACKED_VARIABLES);

function describe(error: ValidationError, value: unknown): string {
  const reasons = Object.values(error.constraints ?? {}).map((m) => m.replace(`${error.property} `, ''));
  // Never echo a secret back into logs, only the shape of the problem.
  const shown = SECRET_NAMES.has(error.property) ? '' : ` (got "${String(value).slice(0, 80)}")`;
  return `${error.property}: ${reasons.join('; ')}${shown}`;
}

function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(value: string | undefined, problems: string[]): TrustProxySetting {
  if (value === undefined || value.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (value.toLowerCase() === 'true') {
    problems.push('TRUST_PROXY: "true" would trust any X-Forwarded-For; give a hop count or the proxies\' addresses');
    return false;
  }
  const entries = parseList(value) ?? [];
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!TRUST_PROXY_NAMES.has(entry) && (family === 0 || !validBits || extra !== undefined)) {
      problems.push(
        `TRUST_PROXY: "${entry}" is not a hop count, an IP, a CIDR or one of loopback, linklocal, uniquelocal`,
      );
    }
  }
  return entries;
}

function parsePublicKeys(value: string | undefined, problems: string[]): Record<string, string> {
  if (value === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    const keys: Record<string, string> = {};
    for (const [kid, pem] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof pem !== 'string' || !/-----BEGIN PUBLIC KEY-----/.test(pem)) {
        problems.push(`JWT_PUBLIC_KEYS: key "${kid}" is not a PEM public key`);
      } else {
        keys[kid] = pem;
      }
    }
    return keys;
  } catch {
    problems.push('JWT_PUBLIC_KEYS: must be a JSON object mapping kid to PEM public key');
    return {};
  }
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseSizeBytes(value: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  if (!match) throw new Error(`not a size: ${value}`);
  return Number(match[1]) * (SIZE_UNITS[(match[2] || 'b').toLowerCase()] ?? NaN);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDurationSeconds(value: string): number {
  const match = /^(\d+)\s*([a-z]?)$/i.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * (DURATION_UNITS[(match[2] || 's').toLowerCase()] ?? NaN);
}
