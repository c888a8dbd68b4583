import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { PROBLEM_TYPES, sendProblem } from '../problem/problem-details';

const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return (
    mediaType === 'application/json' || (mediaType?.startsWith('application/') === true && mediaType.endsWith('+json'))
  );
}

/**
 * 415 for any body that is not JSON. Express's JSON parser silently skips other content
 * types, which would turn `text/plain` into an empty DTO and a misleading 422.
 */
export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!hasBody(req) || isJson(req.headers['content-type'])) {
    next();
    return;
  }
  sendProblem(req, res, {
    status: 415,
    type: PROBLEM_TYPES.unsupportedMediaType,
    detail: 'Request bodies must be JSON (Content-Type: application/json).',
  });
}

/**
 * JSON body parsing with two limits (SPEC §1): `largeBodyPaths` (the ingest routes) get
 * `largeLimit`, everything else `limit`. The size check happens before parsing, on the
 * declared length and on the bytes actually read.
 */
export function jsonBodyParser(options: {
  limit: number;
  largeLimit: number;
  largeBodyPaths: RegExp[];
}): RequestHandler {
  const standard = json({ limit: options.limit, type: JSON_MEDIA_TYPES, strict: true });
  const large = json({ limit: options.largeLimit, type: JSON_MEDIA_TYPES, strict: true });
  return (req, res, next) => {
    const path = req.path;
    const parser = options.largeBodyPaths.some((pattern) => pattern.test(path)) ? large : standard;
    parser(req, res, next);
  };
}
