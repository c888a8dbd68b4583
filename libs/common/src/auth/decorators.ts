import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Principal } from './principal';
import type { Scope } from './scopes';
import { RetryOnConnectionLoss } from '../resilience/connection-loss-retry.interceptor';

/**
 * The auth contract every feature shares: routes declare who may call them with these
 * decorators, and the guards registered by the application read the same keys.
 */
export const IS_PUBLIC_KEY = 'auth:public';
export const SCOPES_KEY = 'auth:scopes';
/**
 * Set on read routes that TRANSPARENCY_PUBLIC_READ=true opens to anonymous callers: the guard
 * lets a request without a token through when the route has it and the flag is on (a presented
 * token is still verified and its scopes still apply).
 */
export const PUBLIC_READ_KEY = 'auth:public-read';

/** Opens a route to anonymous callers: the global guard denies everything else by default. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/**
 * Enforces and documents in one line: the guard requires every listed scope (`admin`
 * satisfies any), and the OpenAPI document shows the bearer requirement and the scopes.
 */
export const Scopes = (...scopes: Scope[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
    ApiBearerAuth(),
    ApiExtension('x-required-scopes', scopes),
    ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked bearer token (problem+json).' }),
    ApiForbiddenResponse({ description: `The token lacks a required scope: ${scopes.join(', ')} (problem+json).` }),
  );

/** The verified caller (undefined on a public route called anonymously). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined =>
    context.switchToHttp().getRequest<Request>().principal,
);

/**
 * A transparency read (REST or the live stream): needs `transparency:read`, unless
 * TRANSPARENCY_PUBLIC_READ=true, in which case the global guard lets anonymous callers in (it
 * reads PUBLIC_READ_KEY and the config; a decorator runs before any config exists, so it can
 * only leave the mark). A read is run again when a lost database connection cut it off.
 */
export const TransparencyRead = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    Scopes('transparency:read'),
    SetMetadata(PUBLIC_READ_KEY, true),
    ApiExtension('x-public-when', 'TRANSPARENCY_PUBLIC_READ=true'),
    RetryOnConnectionLoss(),
  );

/**
 * A transparency write: the trading engine's service token (`transparency:write`). Every such
 * write is keyed on the client's ids or sets a value, so it is safe to run again when a lost
 * database connection cut it off.
 */
export const TransparencyWrite = (): MethodDecorator & ClassDecorator =>
  applyDecorators(Scopes('transparency:write'), RetryOnConnectionLoss());
