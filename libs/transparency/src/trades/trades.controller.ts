import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestBody } from '@app/common';
import type { Response } from 'express';
import { TransparencyCache } from '../cache/transparency-cache.service';
import { TransparencyRead, TransparencyWrite } from '../shared/auth';
import { ApiById, ApiCachedRead, ApiIngest } from '../shared/api-responses';
import { TRADE_INGEST_EXAMPLE } from '../shared/examples';
import { IngestResultDto, validateBatch } from '../shared/ingest';
import { uuidParam } from '../shared/uuid.pipe';
import { TradeDto, TradeIngestItemDto, TradeListDto, TradesQueryDto } from './trades.dto';
import { TradesService } from './trades.service';

@ApiTags('trades')
@Controller('trades')
export class TradesController {
  constructor(
    private readonly trades: TradesService,
    private readonly cache: TransparencyCache,
  ) {}

  @Get()
  @TransparencyRead()
  @ApiOperation({ summary: 'Trade events, newest first, filtered and paginated' })
  @ApiOkResponse({ type: TradeListDto })
  @ApiCachedRead()
  list(@Query() query: TradesQueryDto, @Res({ passthrough: true }) res: Response): Promise<TradeListDto> {
    return this.cache.read(res, 'trades', 'trades.list', query, () => this.trades.list(query));
  }

  @Get(':id')
  @TransparencyRead()
  @ApiOperation({ summary: 'One trade event' })
  @ApiOkResponse({ type: TradeDto })
  @ApiCachedRead()
  @ApiById('trade event')
  get(@Param('id', uuidParam()) id: string, @Res({ passthrough: true }) res: Response): Promise<TradeDto> {
    return this.cache.read(res, 'trades', 'trades.get', { id }, () => this.trades.get(id));
  }

  @Post()
  @HttpCode(201)
  @TransparencyWrite()
  @IngestBody()
  @ApiOperation({ summary: 'Ingest trade events (idempotent on id, all-or-nothing)' })
  @ApiBody({ type: [TradeIngestItemDto], examples: { batch: { value: TRADE_INGEST_EXAMPLE } } })
  @ApiCreatedResponse({ type: IngestResultDto })
  @ApiIngest()
  ingest(@Body() body: unknown): Promise<IngestResultDto> {
    return this.trades.ingest(validateBatch(TradeIngestItemDto, body));
  }
}
