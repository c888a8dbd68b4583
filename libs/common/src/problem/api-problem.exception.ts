import { HttpException } from '@nestjs/common';
import type { FieldError, ProblemInit } from './problem-details';

/**
 * An error that already knows its problem+json shape: status, detail, an optional
 * problem type, field errors, extension members and response headers (e.g. Retry-After).
 */
export class ApiProblemException extends HttpException {
  readonly problem: ProblemInit;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit & { errors?: FieldError[] }, headers: Record<string, string> = {}) {
    super(init.detail, init.status);
    this.problem = init;
    this.headers = headers;
  }
}
