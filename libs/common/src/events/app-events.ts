import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { SecurityEvent } from './security-events';

/** Outcome of checking a bearer token (the label of `auth_token_validations_total`). */
export type TokenValidationResult = 'valid' | 'invalid' | 'expired' | 'revoked';

/** `auth.token.validated`: emitted once per request that presented a bearer token. */
export interface TokenValidatedEvent {
  result: TokenValidationResult;
}

/** `cache.lookup`: emitted after every response-cache lookup. */
export interface CacheLookupEvent {
  /** The cache family (`trades`, `ai.decisions`) or route template. */
  route?: string;
  result: 'hit' | 'miss';
}

/** `rate_limit.exceeded`: emitted when the throttler answers 429. */
export interface RateLimitExceededEvent {
  /** The limit that refused the request (`burst`, `minute`, `hour`). */
  limit: string;
}

/** `rate_limit.backend`: the rate-limit counters moved between Redis and memory. */
export interface RateLimitBackendEvent {
  backend: 'memory' | 'redis';
}

/**
 * Every in-process event of the application (EventEmitter2), by name, with its payload.
 * Producers and subscribers in different libs agree on both through this one map, so a
 * renamed event or a changed payload is a compile error instead of a silent zero metric.
 */
export interface AppEvents {
  'security.event': SecurityEvent;
  'auth.token.validated': TokenValidatedEvent;
  'cache.lookup': CacheLookupEvent;
  'rate_limit.exceeded': RateLimitExceededEvent;
  'rate_limit.backend': RateLimitBackendEvent;
}

export type AppEventName = keyof AppEvents;

/** The names of `AppEvents`, for code that prefers a constant to a string literal. */
export const APP_EVENTS = {
  security: 'security.event',
  tokenValidated: 'auth.token.validated',
  cacheLookup: 'cache.lookup',
  rateLimitExceeded: 'rate_limit.exceeded',
  rateLimitBackend: 'rate_limit.backend',
} as const satisfies Record<string, AppEventName>;

/**
 * `@OnEvent` whose handler must accept the payload `AppEvents` declares for `name`.
 * Handlers run synchronously inside `emit`; they must not throw.
 */
export function OnAppEvent<K extends AppEventName>(name: K) {
  const decorate = OnEvent(name);
  return <T extends (payload: AppEvents[K]) => unknown>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    decorate(target, key, descriptor);
  };
}

/**
 * Typed emission over EventEmitter2. Emitting never throws: a failing subscriber (a
 * metric, the audit queue) is its own problem, never the request's.
 */
@Injectable()
export class AppEventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<K extends AppEventName>(name: K, payload: AppEvents[K]): void {
    try {
      this.emitter.emit(name, payload);
    } catch {
      // See above: the producer carries on.
    }
  }
}
