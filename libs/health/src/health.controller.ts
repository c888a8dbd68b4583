import { Controller, Get, HttpCode, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/common';
import { HealthService, type LivenessReport, type ReadinessReport } from './health.service';

@ApiTags('health')
@Public()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers. Never touches a dependency (Kubernetes liveness probe).' })
  @ApiOkResponse({ description: 'The process is alive.' })
  live(): LivenessReport {
    return this.health.live();
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: Postgres answers and the process is not shutting down (Kubernetes readiness probe).',
  })
  @ApiOkResponse({ description: 'Ready; `status` is `degraded` while an optional dependency (Redis) is down.' })
  @ApiServiceUnavailableResponse({ description: 'Postgres is unavailable or the process is draining (problem+json).' })
  ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessReport> {
    return this.report(res);
  }

  @Get()
  @ApiOperation({ summary: 'Details of every dependency; same verdict as /health/ready.' })
  @ApiOkResponse({ description: 'Ready or degraded.' })
  @ApiServiceUnavailableResponse({ description: 'Not ready (problem+json).' })
  details(@Res({ passthrough: true }) res: Response): Promise<ReadinessReport> {
    return this.report(res);
  }

  private async report(res: Response): Promise<ReadinessReport> {
    const report = await this.health.readiness();
    // Probes must never be answered from a cache.
    res.setHeader('Cache-Control', 'no-store');
    return report;
  }
}
