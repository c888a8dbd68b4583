export { AppConfig } from './app-config';
export type { JwtAlgorithm, LogLevel, NodeEnv, TrustProxySetting } from './app-config';
export { ConfigModule } from './config.module';
export {
  ConfigValidationError,
  DEFAULT_CORS_ORIGINS,
  loadConfig,
  parseDurationSeconds,
  parseSizeBytes,
  type Environment,
} from './load-config';
