import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { validationProblem } from './validation.pipe';

interface RouteArg {
  index: number;
  data?: unknown;
}

/**
 * Unknown query parameters are 422 (SPEC §2), also on routes that declare no query DTO
 * (where the ValidationPipe never runs). Routes that take a whole `@Query() dto` are left
 * to the pipe, which rejects unknown keys itself.
 */
@Injectable()
export class StrictQueryInterceptor implements NestInterceptor {
  private readonly allowedByHandler = new WeakMap<object, Set<string> | 'dto'>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const allowed = this.allowedFor(context);
    if (allowed !== 'dto') {
      const query = context.switchToHttp().getRequest<Request>().query;
      const unknown = Object.keys(query).filter((key) => !allowed.has(key));
      if (unknown.length > 0) {
        throw validationProblem(unknown.map((field) => ({ field, message: 'is not a recognised query parameter' })));
      }
    }
    return next.handle();
  }

  private allowedFor(context: ExecutionContext): Set<string> | 'dto' {
    const handler = context.getHandler();
    const cached = this.allowedByHandler.get(handler);
    if (cached) return cached;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ??
      {}) as Record<string, RouteArg>;
    let result: Set<string> | 'dto' = new Set<string>();
    for (const [key, arg] of Object.entries(args)) {
      if (Number(key.split(':')[0]) !== (RouteParamtypes.QUERY as number)) continue;
      if (typeof arg.data !== 'string') {
        result = 'dto';
        break;
      }
      result.add(arg.data);
    }
    this.allowedByHandler.set(handler, result);
    return result;
  }
}
