import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { TransparencyCache } from '../cache/transparency-cache.service';
import { ApiById, ApiCachedRead } from '../shared/api-responses';
import { TransparencyRead, TransparencyWrite } from '../shared/auth';
import { IngestResultDto } from '../shared/ingest';
import { uuidParam } from '../shared/uuid.pipe';
import { BacktestDto, BacktestIngestDto, BacktestListDto, BacktestsQueryDto } from './backtests.dto';
import { BacktestsService } from './backtests.service';

@ApiTags('backtests')
@Controller('backtests')
export class BacktestsController {
  constructor(
    private readonly backtests: BacktestsService,
    private readonly cache: TransparencyCache,
  ) {}

  @Get()
  @TransparencyRead()
  @ApiOperation({ summary: 'Backtests, newest first, paginated' })
  @ApiOkResponse({ type: BacktestListDto })
  @ApiCachedRead()
  list(@Query() query: BacktestsQueryDto, @Res({ passthrough: true }) res: Response): Promise<BacktestListDto> {
    return this.cache.read(res, 'backtests', 'backtests.list', query, () => this.backtests.list(query));
  }

  @Get(':id')
  @TransparencyRead()
  @ApiOperation({ summary: 'One backtest with its performance' })
  @ApiOkResponse({ type: BacktestDto })
  @ApiCachedRead()
  @ApiById('backtest')
  get(@Param('id', uuidParam()) id: string, @Res({ passthrough: true }) res: Response): Promise<BacktestDto> {
    return this.cache.read(res, 'backtests', 'backtests.get', { id }, () => this.backtests.get(id));
  }

  @Post()
  @HttpCode(201)
  @TransparencyWrite()
  @ApiOperation({ summary: 'Record one backtest (idempotent on id)' })
  @ApiCreatedResponse({ type: IngestResultDto })
  @ApiUnprocessableEntityResponse({ description: 'Invalid backtest (problem+json).' })
  ingest(@Body() body: BacktestIngestDto): Promise<IngestResultDto> {
    return this.backtests.ingest(body);
  }
}
