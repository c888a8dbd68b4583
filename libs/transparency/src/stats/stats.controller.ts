import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TransparencyRead } from '@app/common';
import { StatsDto } from './stats.dto';
import { StatsService } from './stats.service';

@ApiTags('stats')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  /** Not cached: the figures are cheap counts and `api` (uptime, requests) changes every call. */
  @Get()
  @TransparencyRead()
  @ApiOperation({ summary: 'Trading, AI and API figures, all measured' })
  @ApiOkResponse({ type: StatsDto })
  get(): Promise<StatsDto> {
    return this.stats.stats();
  }
}
