import './http/express-request';

export { TimeoutError, withTimeout } from './async/with-timeout';
export { CommonModule } from './common.module';
export { SECURITY_EVENT, type SecurityEvent, SecurityEvents, type SecurityEventType } from './events/security-events';
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
export {
  ConnectionLossRetryInterceptor,
  RETRY_ON_CONNECTION_LOSS,
  RetryOnConnectionLoss,
} from './resilience/connection-loss-retry.interceptor';
export { isConnectionLoss, isDependencyOutage } from './resilience/connection-loss';
export { StrictQueryInterceptor } from './validation/strict-query.interceptor';
export { createValidationPipe, flattenValidationErrors, validationProblem } from './validation/validation.pipe';
export {
  MAX_PAGE_OFFSET,
  PaginationQuery,
  type PaginationOptions,
  pageMeta,
  type PageMeta,
} from './validation/pagination';
export { IsStorableText, isStorableText } from './validation/storable-text';
