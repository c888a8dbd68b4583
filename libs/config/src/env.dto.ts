import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/** Undefined and empty strings both mean "not set", so `FOO=` in a .env file falls back to the default. */
const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const toInt = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  if (typeof v !== 'string') return v;
  return /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
};

const toBool = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return v;
};

const trimmed = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined({ value });
  return typeof v === 'string' ? v.trim() : v;
};

/** Sizes such as `262144`, `256kb`, `4mb` (binary multiples, like body-parser). */
export const SIZE_PATTERN = /^\d+(\s*(b|kb|mb|gb))?$/i;
/** Durations such as `900`, `900s`, `15m`, `12h`, `30d` (a bare number is seconds). */
export const DURATION_PATTERN = /^\d+\s*(s|m|h|d)?$/i;

/** What `@nestjs/jwt` (jsonwebtoken) signs and verifies; EdDSA is not among them. */
export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The raw environment, one property per variable of SPEC §9. Only the shape of each
 * value is checked here; rules that span variables live in `load-config.ts`.
 */
export class EnvDto {
  @Transform(trimmed)
  @IsOptional()
  @IsIn(NODE_ENVS, { message: `must be one of ${NODE_ENVS.join(', ')}` })
  NODE_ENV?: (typeof NODE_ENVS)[number];

  @Transform(toInt)
  @IsOptional()
  @Min(0)
  @Max(65535)
  @IsInt({ message: 'must be an integer port number' })
  PORT?: number;

  @Transform(trimmed)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(/^[A-Za-z0-9:_.-]{0,64}$/, { message: 'must be up to 64 chars of [A-Za-z0-9:_.-]' })
  REDIS_KEY_PREFIX?: string;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @Max(200)
  @IsInt({ message: 'must be an integer' })
  DB_POOL_MAX?: number;

  @Transform(toBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  MIGRATIONS_RUN?: boolean;

  @Transform(trimmed)
  @IsOptional()
  @IsIn(JWT_ALGORITHMS, { message: `must be one of ${JWT_ALGORITHMS.join(', ')}` })
  JWT_ALGORITHM?: (typeof JWT_ALGORITHMS)[number];

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: 'must be a PEM private key' })
  JWT_PRIVATE_KEY?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 chars of [A-Za-z0-9._-]' })
  JWT_KID?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  JWT_PUBLIC_KEYS?: string;

  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  JWT_ISSUER?: string;

  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  JWT_AUDIENCE?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 900, 15m, 12h or 30d' })
  ACCESS_TOKEN_TTL?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 900, 15m, 12h or 30d' })
  REFRESH_TOKEN_TTL?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 900, 15m, 12h or 30d' })
  SESSION_MAX_AGE?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(/^[A-Za-z0-9._@-]{3,64}$/, { message: 'must be 3-64 chars of [A-Za-z0-9._@-]' })
  ADMIN_USERNAME?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'must be at least 12 characters' })
  @MaxLength(256)
  ADMIN_PASSWORD?: string;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  LOGIN_LOCKOUT_THRESHOLD?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  LOGIN_LOCKOUT_IP_THRESHOLD?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  LOGIN_LOCKOUT_WINDOW_SECONDS?: number;

  @Transform(trimmed)
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @Transform(trimmed)
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(SIZE_PATTERN, { message: 'must be a size such as 262144, 256kb or 4mb' })
  BODY_LIMIT?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(SIZE_PATTERN, { message: 'must be a size such as 262144, 256kb or 4mb' })
  INGEST_BODY_LIMIT?: string;

  @Transform(toBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  RATE_LIMIT_ENABLED?: boolean;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  RATE_LIMIT_BURST?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  RATE_LIMIT_PER_MINUTE?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  RATE_LIMIT_PER_HOUR?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  RATE_LIMIT_BLOCK_SECONDS?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  RATE_LIMIT_HOUR_BLOCK_SECONDS?: number;

  @Transform(toBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  TRANSPARENCY_PUBLIC_READ?: boolean;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @Max(1000)
  @IsInt({ message: 'must be an integer' })
  STREAM_MAX_PER_SUBJECT?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(50)
  @Max(300000)
  @IsInt({ message: 'must be an integer' })
  STREAM_HEARTBEAT_MS?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1024)
  @Max(67108864)
  @IsInt({ message: 'must be an integer' })
  STREAM_MAX_BUFFER_BYTES?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @Max(10000)
  @IsInt({ message: 'must be an integer' })
  AUDIT_BATCH_SIZE?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(10)
  @Max(60000)
  @IsInt({ message: 'must be an integer' })
  AUDIT_FLUSH_INTERVAL_MS?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'must be an integer' })
  AUDIT_QUEUE_MAX?: number;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  AUDIT_HMAC_KEY?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(SIZE_PATTERN, { message: 'must be a size such as 268435456, 262144kb or 256mb' })
  AUDIT_SPILL_MAX_BYTES?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @Transform(trimmed)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @Transform(trimmed)
  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: (typeof LOG_LEVELS)[number];

  @Transform(toBool)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  DEMO_DATA?: boolean;

  @Transform(toInt)
  @IsOptional()
  @Min(0)
  @Max(300000)
  @IsInt({ message: 'must be an integer' })
  SHUTDOWN_DRAIN_MS?: number;

  @Transform(toInt)
  @IsOptional()
  @Min(1000)
  @Max(600000)
  @IsInt({ message: 'must be an integer' })
  SHUTDOWN_TIMEOUT_MS?: number;
}

/** Variables that may instead be read from a mounted file named by `<NAME>_FILE`. */
export const FILE_BACKED_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_SECRET',
  'JWT_PRIVATE_KEY',
  'JWT_PUBLIC_KEYS',
  'ADMIN_PASSWORD',
  'METRICS_TOKEN',
  'AUDIT_HMAC_KEY',
] as const;
