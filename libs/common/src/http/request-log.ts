/**
 * A log message that names the request it belongs to. Lines are not bound to a request by
 * context (no AsyncLocalStorage on the request path: it makes every promise pay async hooks),
 * so the few lines written while serving a request carry its id themselves, as the access log
 * does. Nest's Logger hands an object to pino as fields; `msg` stays the message.
 */
export function requestLogLine(
  message: string,
  req: { requestId?: string } | undefined,
): string | { msg: string; request_id: string } {
  return req?.requestId ? { msg: message, request_id: req.requestId } : message;
}
