export { EdgeModule } from './edge.module';
export { admissionControl, type AdmissionControl, type ConnectionStormPolicy } from './http/admission';
export { corsOptions } from './http/cors';
export { securityHeaders } from './http/security-headers';
export { RateLimitGuard, SkipRateLimit } from './rate-limit/rate-limit.guard';
export { RateLimitStorage } from './rate-limit/rate-limit.storage';
