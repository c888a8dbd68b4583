import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { PUBLIC_READ_KEY } from '@app/common';
import { AppConfig } from '@app/config';

/**
 * Login, refresh, logout and revoke answer with tokens even though the request may carry none.
 * Case-insensitive like Express routing: `/API/V1/AUTH/LOGIN` reaches the same handler.
 */
const TOKEN_ENDPOINTS = /^\/api\/v\d+\/auth\//i;

/**
 * The one place that decides whether an answer may be stored by others, for every route:
 * `Cache-Control: no-store` on answers to requests that carry credentials and on the token
 * endpoints, except on a public-read route while TRANSPARENCY_PUBLIC_READ=true (the answer is
 * the same for everyone then). Problem responses get `no-store` where they are written, which
 * covers the requests refused before any route runs.
 *
 * A global guard that never refuses: the header must be set before the handler writes, for
 * every routed request, and of Nest's hooks that know the route only guards come without a
 * per-request rxjs pipeline (a global interceptor cost about a third of a health probe's
 * throughput, docs/benchmarks.md). Registered last, after the guards that may refuse.
 */
@Injectable()
export class CacheControlGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): true {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (req.headers.authorization === undefined && !TOKEN_ENDPOINTS.test(req.path)) return true;
    const publicRead =
      this.config.transparency.publicRead &&
      this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_READ_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) === true;
    if (!publicRead) context.switchToHttp().getResponse<Response>().setHeader('Cache-Control', 'no-store');
    return true;
  }
}
