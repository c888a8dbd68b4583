import { STATUS_CODES } from 'node:http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Request, Response } from 'express';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, the body of every error response (docs/api-guide.md). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/**
 * Problem types this API defines beyond plain HTTP semantics. Anything else is
 * `about:blank`, whose title is by definition the HTTP status phrase.
 */
export const PROBLEM_TYPES = {
  validation: 'urn:transparency-api:problem:validation-failed',
  malformedJson: 'urn:transparency-api:problem:malformed-json',
  unsupportedMediaType: 'urn:transparency-api:problem:unsupported-media-type',
  bodyTooLarge: 'urn:transparency-api:problem:body-too-large',
  dependencyUnavailable: 'urn:transparency-api:problem:dependency-unavailable',
} as const;

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export interface ProblemInit {
  status: number;
  detail: string;
  type?: string;
  title?: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
}

/** With tracing on, the trace id lets a client's bug report lead straight to the trace. */
function traceIdMember(): { trace_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? { trace_id: context.traceId } : {};
}

export function buildProblem(req: Request, init: ProblemInit): ProblemDetails {
  return {
    ...init.extensions,
    type: init.type ?? 'about:blank',
    title: init.title ?? statusTitle(init.status),
    status: init.status,
    detail: init.detail,
    // The path only: a query string may carry things that do not belong in error bodies or logs.
    instance: (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '',
    request_id: req.requestId ?? '',
    ...traceIdMember(),
    ...(init.errors ? { errors: init.errors } : {}),
  };
}

export function sendProblem(
  req: Request,
  res: Response,
  init: ProblemInit,
  headers: Record<string, string> = {},
): void {
  const problem = buildProblem(req, init);
  if (res.headersSent) {
    res.end();
    return;
  }
  // An error is about one request at one moment: never stored, whoever asked (this also covers
  // authenticated requests refused before any interceptor runs: 401, 403, 404, 413, 429).
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
