import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  SkipThrottle,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ApiProblemException, AppEventBus, isOperationalRequest, type Principal } from '@app/common';
import { AppConfig } from '@app/config';
import { rateLimitHeaders } from './rate-limit.headers';
import { rateLimitRules } from './rate-limit.rules';
import { RateLimitStorage } from './rate-limit.storage';
import { LIMIT_NAMES, type RateLimitRule } from './rate-limit.types';

export const RATE_LIMITED_PROBLEM_TYPE = 'urn:transparency-api:problem:rate-limited';

/**
 * The `ThrottlerStorage` the base class is given. The stock guard's per-limit path
 * (`handleRequest`, calling `increment` once per limit) is never taken: `canActivate` decides
 * every limit in one `RateLimitStorage.consume`. This one fails loudly should that path ever run.
 */
export const UNUSED_THROTTLER_STORAGE: ThrottlerStorage = {
  increment: () =>
    Promise.reject(new Error('RateLimitGuard decides every limit in canActivate; ThrottlerStorage is not used')),
};

/** `@nestjs/throttler`'s skip metadata key (not exported by the package). */
const THROTTLER_SKIP = 'THROTTLER:SKIP';

/** Exempts a route or controller from every limit. */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator =>
  SkipThrottle(Object.fromEntries(LIMIT_NAMES.map((name) => [name, true])));

/**
 * The throttler (docs/security.md). Extends `ThrottlerGuard` where the documented limits differ from the stock guard:
 * - the key is the client (token subject, else client IP), not client + route;
 * - all three limits are decided in one storage call, so a request refused by one limit is
 *   counted in none, and refused requests do not count at all;
 * - one set of headers, for the window nearest exhaustion, instead of one set per limit;
 * - a 429 is problem+json with `Retry-After` equal to the remaining block.
 * Registered as a global guard before the authorization guard, so 401s and 403s count too.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly rules: RateLimitRule[];
  /** By controller class, then handler: a handler inherited by two controllers may differ in each. */
  private readonly rulesByRoute = new WeakMap<object, WeakMap<object, readonly RateLimitRule[]>>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly config: AppConfig,
    private readonly limiter: RateLimitStorage,
    private readonly events: AppEventBus,
  ) {
    super(options, storage, reflector);
    this.rules = rateLimitRules(config);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    const rules = this.rulesFor(context);
    if (rules.length === 0) return true;

    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const result = await this.limiter.consume(await this.getTracker(req), rules);
    const headers = rateLimitHeaders(rules, result);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (result.allowed) return true;

    // Counted by the metrics feature as rate_limit_exceeded_total{limit}.
    this.events.emit('rate_limit.exceeded', { limit: result.rule.name });
    const retryAfter = Number(headers['Retry-After']);
    throw new ApiProblemException(
      {
        status: 429,
        type: RATE_LIMITED_PROBLEM_TYPE,
        detail: `Rate limit "${result.rule.name}" (${result.rule.limit} requests per ${result.rule.windowMs / 1000} s) exceeded; retry in ${retryAfter} s.`,
        extensions: { limit: result.rule.name, retry_after: retryAfter },
      },
      headers,
    );
  }

  /** The limits a route is not exempt from, read from its metadata once per handler. */
  private rulesFor(context: ExecutionContext): readonly RateLimitRule[] {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.rulesByRoute.get(controller);
    if (!byHandler) this.rulesByRoute.set(controller, (byHandler = new WeakMap()));
    let rules = byHandler.get(handler);
    if (!rules) {
      rules = this.rules.filter(
        (rule) => !this.reflector.getAllAndOverride<boolean>(THROTTLER_SKIP + rule.name, [handler, controller]),
      );
      byHandler.set(handler, rules);
    }
    return rules;
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.config.rateLimit.enabled || context.getType() !== 'http') return Promise.resolve(true);
    // Probes and scrapes must not eat a client's quota nor be refused, and the docs are static
    // assets; checked by the shared classifier, so they stay exempt whoever owns their routes.
    // Everything else is counted, unknown routes (the fallback route) included.
    return Promise.resolve(isOperationalRequest(context.switchToHttp().getRequest<Request>()));
  }

  /** The token subject when the verification step accepted a token, else the client IP (trust proxy applies). */
  protected override getTracker(request: Request): Promise<string> {
    const principal: Principal | undefined = request.principal;
    if (principal) return Promise.resolve(`sub:${principal.sub}`);
    const ip = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
    return Promise.resolve(`ip:${normalizeIp(ip, this.ipv6SubnetPrefix)}`);
  }
}
