import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestBody, TransparencyRead, TransparencyWrite } from '@app/common';
import { CachedRead } from '../cache/cached-read.decorator';
import { ApiById, ApiIngest } from '../shared/api-responses';
import { TRADE_INGEST_EXAMPLE } from '../shared/examples';
import { INGEST_MAX_ITEMS, IngestResultDto, validateBatch } from '../shared/ingest';
import { uuidParam } from '../shared/uuid.pipe';
import { fastTradeIngestItem, TradeDto, TradeIngestItemDto, TradeListDto, TradesQueryDto } from './trades.dto';
import { TradesService } from './trades.service';

@ApiTags('trades')
@Controller('trades')
export class TradesController {
  constructor(private readonly trades: TradesService) {}

  @Get()
  @TransparencyRead()
  @ApiOperation({ summary: 'Trade events, newest first, filtered and paginated' })
  @ApiOkResponse({ type: TradeListDto })
  @CachedRead('trades', 'trades.list')
  list(@Query() query: TradesQueryDto): Promise<TradeListDto> {
    return this.trades.list(query);
  }

  @Get(':id')
  @TransparencyRead()
  @ApiOperation({ summary: 'One trade event' })
  @ApiOkResponse({ type: TradeDto })
  @CachedRead('trades', 'trades.get')
  @ApiById('trade event')
  get(@Param('id', uuidParam()) id: string): Promise<TradeDto> {
    return this.trades.get(id);
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
    return this.trades.ingest(validateBatch(TradeIngestItemDto, body, INGEST_MAX_ITEMS, fastTradeIngestItem));
  }
}
