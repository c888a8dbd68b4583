export { EdgeModule } from './edge.module';
export { corsOptions } from './http/cors';
export { securityHeaders } from './http/security-headers';
export { RATE_LIMIT_HEADERS } from './rate-limit/rate-limit.headers';
export {
  RATE_LIMITED_PROBLEM_TYPE,
  RateLimitGuard,
  SkipRateLimit,
} from './rate-limit/rate-limit.guard';
export { RateLimitStorage } from './rate-limit/rate-limit.storage';
export { LIMIT_NAMES, type LimitName } from './rate-limit/rate-limit.types';
