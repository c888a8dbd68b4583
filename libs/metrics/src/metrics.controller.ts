import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ApiProblemException, Public, SecurityEvents } from '@app/common';
import { AppConfig } from '@app/config';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Request, Response } from 'express';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * GET /metrics (Prometheus text format). It takes `Bearer <METRICS_TOKEN>` (compared in
 * constant time) or a JWT carrying `metrics:read` (or `admin`), verified by the auth step
 * that sets `req.principal`. Outside production it is public unless METRICS_TOKEN is set;
 * in production it is never anonymous (it exposes equity, P&L and per-model predictions
 * that the API itself guards), so without METRICS_TOKEN only the JWT path is open. A
 * valid JWT without the scope is a 403, audited as `scope.denied` like any
 * other route's.
 */
@ApiExcludeController()
@Public()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController extends PrometheusController {
  constructor(
    private readonly config: AppConfig,
    private readonly events: SecurityEvents,
  ) {
    super();
  }

  @Get()
  override async index(@Res({ passthrough: true }) response: Response, @Req() req?: Request): Promise<string> {
    if (req) this.authorize(req);
    response.setHeader('Cache-Control', 'no-store');
    return super.index(response);
  }

  private authorize(req: Request): void {
    const token = this.config.metrics.token;
    if (!token && !this.config.isProduction) return;
    const scopes: readonly string[] = req.principal?.scopes ?? [];
    if (scopes.includes('metrics:read') || scopes.includes('admin')) return;
    const header = req.headers.authorization ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (token && presented && timingSafeEqual(digest(presented), digest(token))) return;
    const principal = req.principal;
    if (principal) {
      this.events.publish({
        type: 'scope.denied',
        actor: principal.username ?? principal.sub,
        tokenId: principal.tokenId,
        ip: req.ip,
        requestId: req.requestId,
        detail: { required: ['metrics:read'], granted: principal.scopes, method: req.method, path: req.path },
      });
      throw new ApiProblemException(
        { status: 403, detail: 'The metrics endpoint requires the metrics token or a token with metrics:read.' },
        { 'WWW-Authenticate': 'Bearer realm="metrics", error="insufficient_scope", scope="metrics:read"' },
      );
    }
    throw new ApiProblemException(
      { status: 401, detail: 'The metrics endpoint requires the metrics token or a token with metrics:read.' },
      { 'WWW-Authenticate': 'Bearer realm="metrics"' },
    );
  }
}
