import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { PUBLIC_READ_KEY, Scopes } from '@app/auth';
import { RetryOnConnectionLoss } from '@app/common';

/**
 * A transparency read: needs `transparency:read`, unless TRANSPARENCY_PUBLIC_READ=true, in
 * which case the global guard lets anonymous callers in (it reads PUBLIC_READ_KEY and the
 * config; a decorator runs before any config exists, so it can only leave the mark).
 */
export const TransparencyRead = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    Scopes('transparency:read'),
    SetMetadata(PUBLIC_READ_KEY, true),
    ApiExtension('x-public-when', 'TRANSPARENCY_PUBLIC_READ=true'),
  );

/**
 * A transparency write: the trading engine's service token (`transparency:write`). Every such
 * write is keyed on the client's ids or sets a value, so it is safe to run again when a lost
 * database connection cut it off.
 */
export const TransparencyWrite = (): MethodDecorator & ClassDecorator =>
  applyDecorators(Scopes('transparency:write'), RetryOnConnectionLoss());
