import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestBody, TransparencyRead, TransparencyWrite } from '@app/common';
import { CachedRead } from '../cache/cached-read.decorator';
import { ApiIngest } from '../shared/api-responses';
import { SNAPSHOT_INGEST_EXAMPLE } from '../shared/examples';
import { INGEST_MAX_ITEMS, IngestResultDto, validateBatch } from '../shared/ingest';
import {
  EquityCurveDto,
  EquityCurveQueryDto,
  PerformanceDto,
  PerformanceQueryDto,
  fastSnapshotIngestItem,
  SnapshotIngestItemDto,
} from './performance.dto';
import { PerformanceService } from './performance.service';

@ApiTags('performance')
@Controller('performance')
export class PerformanceController {
  constructor(private readonly performance: PerformanceService) {}

  @Get()
  @TransparencyRead()
  @ApiOperation({ summary: 'Performance over a window, computed from snapshots and closed trades' })
  @ApiOkResponse({ type: PerformanceDto })
  @CachedRead('performance', 'performance')
  get(@Query() query: PerformanceQueryDto): Promise<PerformanceDto> {
    return this.performance.performance(query.period);
  }

  @Get('equity-curve')
  @TransparencyRead()
  @ApiOperation({ summary: 'Equity per UTC-aligned interval bucket (last equity in each non-empty bucket)' })
  @ApiOkResponse({ type: EquityCurveDto })
  @CachedRead('performance', 'performance.equity-curve')
  curve(@Query() query: EquityCurveQueryDto): Promise<EquityCurveDto> {
    return this.performance.equityCurve(query.period, query.interval);
  }

  @Post('snapshots')
  @HttpCode(201)
  @TransparencyWrite()
  @IngestBody()
  @ApiOperation({ summary: 'Ingest performance snapshots (idempotent on id, all-or-nothing)' })
  @ApiBody({ type: [SnapshotIngestItemDto], examples: { batch: { value: SNAPSHOT_INGEST_EXAMPLE } } })
  @ApiCreatedResponse({ type: IngestResultDto })
  @ApiIngest()
  ingest(@Body() body: unknown): Promise<IngestResultDto> {
    return this.performance.ingest(
      validateBatch(SnapshotIngestItemDto, body, INGEST_MAX_ITEMS, fastSnapshotIngestItem),
    );
  }
}
