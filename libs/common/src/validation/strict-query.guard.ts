import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { validationProblem } from './validation.pipe';

interface RouteArg {
  index: number;
  data?: unknown;
}

/**
 * Unknown query parameters are 422 (docs/api-guide.md), also on routes that declare no query DTO
 * (where the ValidationPipe never runs). Routes that take a whole `@Query() dto` are left
 * to the pipe, which rejects unknown keys itself. A global guard, after the body guard: it
 * refuses or lets through, and guards cost Nest one await where an interceptor costs an rxjs
 * pipeline per request.
 */
@Injectable()
export class StrictQueryGuard implements CanActivate {
  private readonly allowedByHandler = new WeakMap<object, Set<string> | 'dto'>();

  canActivate(context: ExecutionContext): true {
    if (context.getType() !== 'http') return true;
    const allowed = this.allowedFor(context);
    if (allowed !== 'dto') {
      const query = context.switchToHttp().getRequest<Request>().query;
      const unknown = Object.keys(query).filter((key) => !allowed.has(key));
      if (unknown.length > 0) {
        throw validationProblem(unknown.map((field) => ({ field, message: 'is not a recognised query parameter' })));
      }
    }
    return true;
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
