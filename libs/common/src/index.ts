import './http/express-request';

export { TimeoutError, withTimeout } from './async/with-timeout';
export { BoundedMap } from './bounded-map';
export { WorkLimiter } from './async/work-limiter';
export {
  CurrentPrincipal,
  IS_PUBLIC_KEY,
  Public,
  PUBLIC_READ_KEY,
  Scopes,
  SCOPES_KEY,
  TransparencyRead,
  TransparencyWrite,
} from './auth/decorators';
export { INGEST_BODY_KEY, IngestBody } from './auth/ingest';
export type { Principal } from './auth/principal';
export { hasScopes, isScope, parseScopeClaim, type Scope, SCOPES } from './auth/scopes';
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
export { JsonBodyGuard } from './http/json-body.guard';
export { requestLogLine } from './http/request-log';
export { UNMATCHED_ROUTE_PREFIX_EXCLUSION, UnmatchedRouteModule } from './http/unmatched-route.controller';
export { exceedsJsonDepth, MAX_JSON_DEPTH } from './http/json-depth';
export { readOrCreateSecretFile } from './fs/secret-file';
export { expressErrorHandler } from './http/express-error.handler';
export {
  isOperationalRequest,
  isPreflight,
  pathKind,
  type RequestKind,
  requestKind,
  requestPath,
} from './http/request-paths';
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
export { StrictQueryGuard } from './validation/strict-query.guard';
export {
  createValidationPipe,
  flattenValidationErrors,
  stripPrototypeKeys,
  validationProblem,
} from './validation/validation.pipe';
export {
  MAX_PAGE_OFFSET,
  PaginationQuery,
  type PaginationOptions,
  pageMeta,
  type PageMeta,
  PageMetaDto,
  TimeBoundQuery,
} from './validation/pagination';
export { IsStorableText, isStorableText } from './validation/storable-text';
export { recordServerError, trackServerSpan } from './tracing/server-span';
