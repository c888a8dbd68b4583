import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import { REQUEST_ID_HEADER } from '@app/common';
import type { AppConfig } from '@app/config';
import { RATE_LIMIT_HEADERS } from '../rate-limit/rate-limit.headers';

/**
 * Only the listed origins get `Access-Control-Allow-Origin` (their own value, with
 * `Vary: Origin`); a foreign origin gets no CORS header and the browser blocks the read.
 * Preflights are answered here with 204, before any guard, so they are never rate limited.
 * `*` is accepted outside production only (refused by libs/config in production).
 */
export function corsOptions(config: AppConfig): CorsOptions {
  return {
    origin: config.http.corsOrigins.includes('*') ? true : [...config.http.corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    // Last-Event-ID: a fetch-based stream client resumes with it (browsers' EventSource cannot send Authorization).
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'If-None-Match',
      'Last-Event-ID',
      REQUEST_ID_HEADER,
      'traceparent',
    ],
    // WWW-Authenticate tells a browser client why a 401/403 happened (expired token, missing scope).
    exposedHeaders: [REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS, 'WWW-Authenticate', 'ETag', 'X-Cache'],
    optionsSuccessStatus: 204,
    maxAge: 600,
  };
}
