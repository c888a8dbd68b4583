import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CachedRead } from '../cache/cached-read.decorator';
import { ApiById } from '../shared/api-responses';
import { TransparencyRead, TransparencyWrite } from '@app/common';
import { IngestResultDto } from '../shared/ingest';
import { uuidParam } from '../shared/uuid.pipe';
import { BacktestDto, BacktestIngestDto, BacktestListDto, BacktestsQueryDto } from './backtests.dto';
import { BacktestsService } from './backtests.service';

@ApiTags('backtests')
@Controller('backtests')
export class BacktestsController {
  constructor(private readonly backtests: BacktestsService) {}

  @Get()
  @TransparencyRead()
  @ApiOperation({ summary: 'Backtests, newest first, paginated' })
  @ApiOkResponse({ type: BacktestListDto })
  @CachedRead('backtests', 'backtests.list')
  list(@Query() query: BacktestsQueryDto): Promise<BacktestListDto> {
    return this.backtests.list(query);
  }

  @Get(':id')
  @TransparencyRead()
  @ApiOperation({ summary: 'One backtest with its performance' })
  @ApiOkResponse({ type: BacktestDto })
  @CachedRead('backtests', 'backtests.get')
  @ApiById('backtest')
  get(@Param('id', uuidParam()) id: string): Promise<BacktestDto> {
    return this.backtests.get(id);
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
