export { AppConfig } from './app-config';
export type { JwtAlgorithm, LogLevel, NodeEnv, TrustProxySetting } from './app-config';
export { ConfigModule } from './config.module';
export { ConfigValidationError, loadConfig, parseDurationSeconds, type Environment } from './load-config';
