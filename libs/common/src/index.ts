import './http/express-request';

export { TimeoutError, withTimeout } from './async/with-timeout';
export { CommonModule } from './common.module';
export {
  APP_EVENTS,
  AppEventBus,
  type AppEventName,
  type AppEvents,
  type CacheLookupEvent,
  OnAppEvent,
  type RateLimitBackendEvent,
  type RateLimitExceededEvent,
  type TokenValidatedEvent,
  type TokenValidationResult,
} from './events/app-events';
export { SECURITY_EVENT, type SecurityEvent, SecurityEvents, type SecurityEventType } from './events/security-events';
export { readOrCreateSecretFile } from './fs/secret-file';
export { jsonBodyParser, requireJsonBody } from './http/body.middleware';
export { expressErrorHandler } from './http/express-error.handler';
export { REQUEST_ID_HEADER, requestIdMiddleware } from './http/request-id.middleware';
export { AppLifecycle } from './lifecycle/app-lifecycle.service';
export { ApiProblemException } from './problem/api-problem.exception';
export {
  buildProblem,
  type FieldError,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  type ProblemDetails,
  type ProblemInit,
  sendProblem,
  statusTitle,
} from './problem/problem-details';
export { ProblemDetailsFilter, problemFromError } from './problem/problem-details.filter';
export { StrictQueryInterceptor } from './validation/strict-query.interceptor';
export { createValidationPipe, flattenValidationErrors, validationProblem } from './validation/validation.pipe';
export {
  MAX_PAGE_OFFSET,
  PaginationQuery,
  type PaginationOptions,
  pageMeta,
  type PageMeta,
  PageMetaDto,
} from './validation/pagination';
export { IsStorableText, isStorableText } from './validation/storable-text';
