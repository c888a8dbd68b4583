import type { JWT_ALGORITHMS, LOG_LEVELS, NODE_ENVS } from './env.dto';

export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type NodeEnv = (typeof NODE_ENVS)[number];

/** Express `trust proxy`: false, a hop count, or a list of addresses/CIDRs/names. */
export type TrustProxySetting = false | number | string[];

/**
 * The validated, typed configuration. It is the one way code reads configuration:
 * Nest code injects it (`constructor(private readonly config: AppConfig)`), code that
 * runs before Nest calls `loadConfig()`.
 */
export class AppConfig {
  readonly nodeEnv!: NodeEnv;
  readonly isProduction!: boolean;
  readonly port!: number;
  readonly logLevel!: LogLevel;
  readonly demoData!: boolean;
  readonly database!: {
    /** Unset: the embedded PGlite under `dataDir` (docs/configuration.md). */
    readonly url?: string;
    readonly embedded: boolean;
    readonly dataDir: string;
    readonly poolMax: number;
    readonly migrationsRun: boolean;
  };
  readonly redis!: {
    /** Unset: every feature uses its in-memory fallback. */
    readonly url?: string;
    readonly keyPrefix: string;
  };
  readonly jwt!: {
    readonly algorithm: JwtAlgorithm;
    readonly secret?: string;
    readonly privateKey?: string;
    readonly kid?: string;
    /** Older verification keys by `kid` (rotation). */
    readonly publicKeys: Readonly<Record<string, string>>;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    /** Absolute lifetime of a login's token family, counted from the login; rotation never extends it. */
    readonly sessionMaxAgeSeconds: number;
  };
  readonly admin!: {
    readonly username?: string;
    readonly password?: string;
  };
  readonly loginLockout!: {
    readonly threshold: number;
    readonly ipThreshold: number;
    readonly windowSeconds: number;
  };
  readonly http!: {
    readonly corsOrigins: readonly string[];
    readonly trustProxy: TrustProxySetting;
    readonly bodyLimitBytes: number;
    readonly ingestBodyLimitBytes: number;
    /** After SIGTERM, how long readiness reports 503 before the listener closes. */
    readonly shutdownDrainMs: number;
    /** Upper bound on the whole graceful shutdown before the process gives up. */
    readonly shutdownTimeoutMs: number;
  };
  readonly rateLimit!: {
    readonly enabled: boolean;
    readonly burst: number;
    readonly perMinute: number;
    readonly perHour: number;
    readonly blockSeconds: number;
    readonly hourBlockSeconds: number;
  };
  readonly transparency!: {
    readonly publicRead: boolean;
  };
  readonly stream!: {
    /** Open streams per client (token subject, else IP), across replicas. */
    readonly maxPerSubject: number;
    /** Interval of the comment heartbeat that keeps proxies from closing an idle stream. */
    readonly heartbeatMs: number;
    /** Bytes a stream may have queued unsent before it is closed as a slow consumer. */
    readonly maxBufferBytes: number;
  };
  readonly audit!: {
    readonly batchSize: number;
    readonly flushIntervalMs: number;
    readonly queueMax: number;
    /** Key of the chain's HMAC links; unset outside production: generated under `dataDir`. */
    readonly hmacKey?: string;
    /** Bound of the spill directory; past it records are dropped (and counted). */
    readonly spillMaxBytes: number;
  };
  readonly metrics!: {
    /** Unset: `/metrics` is public outside production, JWT-only (`metrics:read`) in production. */
    readonly token?: string;
  };
  readonly tracing!: {
    readonly otlpEndpoint?: string;
  };
}
