export { EdgeModule } from './edge.module';
export { corsOptions } from './http/cors';
export { securityHeaders } from './http/security-headers';
export { RATE_LIMIT_HEADERS } from './rate-limit/rate-limit.headers';
export {
  RATE_LIMIT_EXCEEDED_EVENT,
  RATE_LIMITED_PROBLEM_TYPE,
  type RateLimitExceededEvent,
  RateLimitGuard,
  SkipRateLimit,
} from './rate-limit/rate-limit.guard';
export { RATE_LIMIT_BACKEND_EVENT, RateLimitStorage } from './rate-limit/rate-limit.storage';
export { LIMIT_NAMES, type LimitName } from './rate-limit/rate-limit.types';
