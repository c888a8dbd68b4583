import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { PUBLIC_READ_KEY } from '@app/common';
import { AppConfig } from '@app/config';

/**
 * Completes `noStoreWhenAuthenticated`: a public-read route (open to anyone while
 * TRANSPARENCY_PUBLIC_READ=true) answers the same data with or without a token, so its
 * responses need not be `no-store`. Runs after the guards, i.e. only for accepted requests.
 */
@Injectable()
export class PublicReadCacheControlInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http' && this.config.transparency.publicRead) {
      const publicRead = this.reflector.getAllAndOverride<boolean>(PUBLIC_READ_KEY, [
        context.getHandler(),
        context.getClass(),
      ]);
      const res = context.switchToHttp().getResponse<Response>();
      if (publicRead && res.getHeader('Cache-Control') === 'no-store') res.removeHeader('Cache-Control');
    }
    return next.handle();
  }
}
