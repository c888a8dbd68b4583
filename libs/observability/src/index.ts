export { createRootLogger, REDACTED_PATHS, ROOT_LOGGER } from './logger';
export { ObservabilityModule } from './observability.module';
export {
  CLIENT_CLOSED_REQUEST,
  type CompletedRequest,
  RequestObserver,
  type RequestListener,
} from './request-observer.service';
export { isOperationalRequest, requestPath, routeTemplate, UNMATCHED_ROUTE } from './request-route';
export { activeTraceId } from './trace-context';
export { activeTracing, recordServerError, SERVICE_NAME, startTracing, type Tracing } from './tracing';
