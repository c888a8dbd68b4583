import { Controller, Get, NotFoundException, Req } from '@nestjs/common';
import type { Request } from 'express';
import { TokensService } from '@app/auth';
import { Public, Scopes } from '@app/common';
import type { TestApp } from './utils/harness';

/** Test-only routes for the edge suites: a limited public route, a scoped route (401/403) and a 404. */
@Controller('edge-probe')
export class EdgeProbeController {
  @Public()
  @Get('ok')
  ok(@Req() req: Request): { sub: string | null; ip: string | undefined } {
    return { sub: req.principal?.sub ?? null, ip: req.ip };
  }

  @Scopes('transparency:read')
  @Get('private')
  private(@Req() req: Request): { sub: string | undefined } {
    return { sub: req.principal?.sub };
  }

  @Public()
  @Get('missing')
  missing(): never {
    throw new NotFoundException('No such thing.');
  }
}

/** A real service token for `subject` (the rate limit keys on the verified subject). */
export async function tokenFor(t: TestApp, subject: string, scopes: 'transparency:read'[] = []): Promise<string> {
  const issued = await t.app.get(TokensService).issueServiceToken({ subject, scopes, ttlSeconds: 600 });
  return issued.accessToken;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
