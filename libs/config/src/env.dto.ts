import {
  BoolVar,
  DurationVar,
  IntVar,
  OneOfVar,
  PatternVar,
  SecretVar,
  SizeVar,
  TextVar,
  VerbatimPatternVar,
} from './env-decorators';

export { DURATION_PATTERN, SIZE_PATTERN } from './env-decorators';

/** What `@nestjs/jwt` (jsonwebtoken) signs and verifies; EdDSA is not among them. */
export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The raw environment, one property per variable of docs/configuration.md. Only the shape of each
 * value is checked here; rules that span variables live in `load-config.ts`.
 */
export class EnvDto {
  @OneOfVar(NODE_ENVS) NODE_ENV?: (typeof NODE_ENVS)[number];
  @IntVar({ min: 0, max: 65535 }, 'must be an integer port number') PORT?: number;

  @PatternVar(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL') DATABASE_URL?: string;
  @TextVar({ min: 1 }) DATA_DIR?: string;
  @PatternVar(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL') REDIS_URL?: string;
  @PatternVar(/^[A-Za-z0-9:_.-]{0,64}$/, 'must be up to 64 chars of [A-Za-z0-9:_.-]') REDIS_KEY_PREFIX?: string;
  @IntVar({ min: 1, max: 200 }) DB_POOL_MAX?: number;
  @BoolVar() MIGRATIONS_RUN?: boolean;

  @OneOfVar(JWT_ALGORITHMS) JWT_ALGORITHM?: (typeof JWT_ALGORITHMS)[number];
  @SecretVar() JWT_SECRET?: string;
  @VerbatimPatternVar(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'must be a PEM private key') JWT_PRIVATE_KEY?: string;
  @PatternVar(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 chars of [A-Za-z0-9._-]') JWT_KID?: string;
  @SecretVar() JWT_PUBLIC_KEYS?: string;
  @TextVar({ min: 1, max: 256 }) JWT_ISSUER?: string;
  @TextVar({ min: 1, max: 256 }) JWT_AUDIENCE?: string;
  @DurationVar() ACCESS_TOKEN_TTL?: string;
  @DurationVar() REFRESH_TOKEN_TTL?: string;
  @DurationVar() SESSION_MAX_AGE?: string;

  @PatternVar(/^[A-Za-z0-9._@-]{3,64}$/, 'must be 3-64 chars of [A-Za-z0-9._@-]') ADMIN_USERNAME?: string;
  @SecretVar({ min: 12, max: 256 }) ADMIN_PASSWORD?: string;
  @IntVar({ min: 1 }) LOGIN_LOCKOUT_THRESHOLD?: number;
  @IntVar({ min: 1 }) LOGIN_LOCKOUT_IP_THRESHOLD?: number;
  @IntVar({ min: 1 }) LOGIN_LOCKOUT_WINDOW_SECONDS?: number;

  @TextVar() CORS_ORIGINS?: string;
  @TextVar() TRUST_PROXY?: string;
  @SizeVar() BODY_LIMIT?: string;
  @SizeVar() INGEST_BODY_LIMIT?: string;

  @BoolVar() RATE_LIMIT_ENABLED?: boolean;
  @IntVar({ min: 1 }) RATE_LIMIT_BURST?: number;
  @IntVar({ min: 1 }) RATE_LIMIT_PER_MINUTE?: number;
  @IntVar({ min: 1 }) RATE_LIMIT_PER_HOUR?: number;
  @IntVar({ min: 1 }) RATE_LIMIT_BLOCK_SECONDS?: number;
  @IntVar({ min: 1 }) RATE_LIMIT_HOUR_BLOCK_SECONDS?: number;

  @BoolVar() TRANSPARENCY_PUBLIC_READ?: boolean;
  @IntVar({ min: 1, max: 1000 }) STREAM_MAX_PER_SUBJECT?: number;
  @IntVar({ min: 50, max: 300000 }) STREAM_HEARTBEAT_MS?: number;
  @IntVar({ min: 1024, max: 67108864 }) STREAM_MAX_BUFFER_BYTES?: number;

  @IntVar({ min: 1, max: 10000 }) AUDIT_BATCH_SIZE?: number;
  @IntVar({ min: 10, max: 60000 }) AUDIT_FLUSH_INTERVAL_MS?: number;
  @IntVar({ min: 1 }) AUDIT_QUEUE_MAX?: number;
  @SecretVar({ min: 32 }) AUDIT_HMAC_KEY?: string;
  @SizeVar('268435456, 262144kb or 256mb') AUDIT_SPILL_MAX_BYTES?: string;

  @SecretVar({ min: 16 }) METRICS_TOKEN?: string;
  @PatternVar(/^https?:\/\/\S+$/, 'must be an http(s) URL') OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  @OneOfVar(LOG_LEVELS) LOG_LEVEL?: (typeof LOG_LEVELS)[number];
  @BoolVar() DEMO_DATA?: boolean;
  @IntVar({ min: 0, max: 300000 }) SHUTDOWN_DRAIN_MS?: number;
  @IntVar({ min: 1000, max: 600000 }) SHUTDOWN_TIMEOUT_MS?: number;
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
