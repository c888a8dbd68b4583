import { Logger } from '@nestjs/common';
import { recordServerError } from '../tracing/server-span';
import type { ErrorRequestHandler } from 'express';
import { problemFromError } from '../problem/problem-details.filter';
import { sendProblem } from '../problem/problem-details';

const logger = new Logger('Errors');

/**
 * Catches what fails in plain Express middleware before Nest routing (which Nest's exception
 * filters never see) and answers with problem+json. Bodies are parsed inside Nest since the
 * parser moved after the guards; this remains the net for the rest.
 */
export const expressErrorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const { init, headers } = problemFromError(error, logger, req);
  if (init.status >= 500) recordServerError(req, error);
  sendProblem(req, res, init, headers);
};
