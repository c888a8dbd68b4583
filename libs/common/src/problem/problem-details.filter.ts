import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDependencyOutage } from '../resilience/connection-loss';
import { recordServerError } from '../tracing/server-span';
import { requestLogLine } from '../http/request-log';
import { ApiProblemException } from './api-problem.exception';
import { PROBLEM_TYPES, type ProblemInit, sendProblem } from './problem-details';

/**
 * Postgres refusing the characters of a value (a NUL byte, an unpaired surrogate) is bad input
 * that slipped past validation, not a server fault: a safety net under the DTO validators.
 */
const UNSTORABLE_INPUT_CODES = new Set(['22021', '22P05']);

function isUnstorableInput(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.code;
  const driverCode = (error as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  return [code, driverCode].some((c) => typeof c === 'string' && UNSTORABLE_INPUT_CODES.has(c));
}

/** Errors raised by body-parser (and its depth check) carry a `type` and an HTTP `status`. */
function fromBodyParser(error: unknown): ProblemInit | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status } = error as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number') return undefined;
  switch (type) {
    case 'entity.parse.failed':
      return { status: 400, type: PROBLEM_TYPES.malformedJson, detail: 'The request body is not valid JSON.' };
    case 'entity.too.deep':
      return {
        status: 400,
        type: PROBLEM_TYPES.malformedJson,
        detail: 'The request body nests JSON deeper than 32 levels.',
      };
    case 'entity.too.large':
      return {
        status: 413,
        type: PROBLEM_TYPES.bodyTooLarge,
        detail: `The request body exceeds the limit of ${(error as { limit?: number }).limit ?? '?'} bytes for this route.`,
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, type: PROBLEM_TYPES.unsupportedMediaType, detail: 'Unsupported body encoding or charset.' };
    case 'request.aborted':
    case 'request.size.invalid':
      return { status: 400, detail: 'The request body was incomplete.' };
    default:
      return status >= 400 && status < 500 ? { status, detail: 'The request body could not be read.' } : undefined;
  }
}

function fromHttpException(exception: HttpException): ProblemInit {
  const status = exception.getStatus();
  const body = exception.getResponse();
  let detail = exception.message;
  if (typeof body === 'object' && body !== null) {
    const message = (body as { message?: unknown }).message;
    if (Array.isArray(message)) detail = message.map(String).join('; ');
    else if (typeof message === 'string') detail = message;
  } else if (typeof body === 'string') {
    detail = body;
  }
  return { status, detail };
}

/**
 * Turns every error into RFC 9457 problem+json (docs/api-guide.md). Unexpected errors become a
 * bare 500 (or 503 for a dependency outage) and are logged here with their stack; the
 * client never sees a stack trace, SQL or a path.
 */
export function problemFromError(
  error: unknown,
  logger: Logger,
  req?: { requestId?: string },
): { init: ProblemInit; headers: Record<string, string> } {
  if (error instanceof ApiProblemException) return { init: error.problem, headers: error.headers };
  if (error instanceof HttpException) return { init: fromHttpException(error), headers: {} };
  const parserProblem = fromBodyParser(error);
  if (parserProblem) return { init: parserProblem, headers: {} };
  if (isUnstorableInput(error)) {
    logger.warn(
      requestLogLine(
        `Unstorable input reached the database: ${error instanceof Error ? error.message : String(error)}`,
        req,
      ),
    );
    return {
      init: {
        status: 422,
        type: PROBLEM_TYPES.validation,
        title: 'Validation failed',
        detail: 'The request contains characters that cannot be stored (NUL or an unpaired surrogate).',
      },
      headers: {},
    };
  }
  if (isDependencyOutage(error)) {
    logger.warn(
      requestLogLine(`Dependency unavailable: ${error instanceof Error ? error.message : String(error)}`, req),
    );
    return {
      init: {
        status: 503,
        type: PROBLEM_TYPES.dependencyUnavailable,
        detail: 'A backing service is unavailable; retry shortly.',
      },
      headers: { 'Retry-After': '5' },
    };
  }
  logger.error(requestLogLine(error instanceof Error ? (error.stack ?? error.message) : String(error), req));
  return { init: { status: 500, detail: 'An unexpected error occurred.' }, headers: {} };
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const { init, headers } = problemFromError(exception, this.logger, req);
    if (init.status >= 500) recordServerError(req, exception);
    sendProblem(req, http.getResponse<Response>(), init, headers);
  }
}
