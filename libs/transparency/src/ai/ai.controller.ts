import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { IngestBody, TransparencyRead, TransparencyWrite } from '@app/common';
import { CachedRead } from '../cache/cached-read.decorator';
import { ApiById, ApiIngest } from '../shared/api-responses';
import { DECISION_INGEST_EXAMPLE } from '../shared/examples';
import { IngestResultDto, validateBatch } from '../shared/ingest';
import { uuidParam } from '../shared/uuid.pipe';
import {
  DecisionDto,
  DecisionIngestItemDto,
  DecisionListDto,
  DecisionPatchDto,
  DecisionsQueryDto,
  ModelListDto,
  ModelsQueryDto,
} from './ai.dto';
import { AiService } from './ai.service';

@ApiTags('ai')
@Controller('ai')
export class AiController {
  constructor(private readonly ai: AiService) {}

  @Get('decisions')
  @TransparencyRead()
  @ApiOperation({ summary: 'AI decisions, newest first, filtered and paginated' })
  @ApiOkResponse({ type: DecisionListDto })
  @CachedRead('ai', 'ai.decisions')
  list(@Query() query: DecisionsQueryDto): Promise<DecisionListDto> {
    return this.ai.list(query);
  }

  @Get('decisions/:id')
  @TransparencyRead()
  @ApiOperation({ summary: 'One AI decision' })
  @ApiOkResponse({ type: DecisionDto })
  @CachedRead('ai', 'ai.decision')
  @ApiById('AI decision')
  get(@Param('id', uuidParam()) id: string): Promise<DecisionDto> {
    return this.ai.get(id);
  }

  @Get('models')
  @TransparencyRead()
  @ApiOperation({ summary: 'Per-model aggregates over a window, computed from decisions' })
  @ApiOkResponse({ type: ModelListDto })
  @CachedRead('ai', 'ai.models')
  models(@Query() query: ModelsQueryDto): Promise<ModelListDto> {
    return this.ai.models(query.period);
  }

  @Post('decisions')
  @HttpCode(201)
  @TransparencyWrite()
  @IngestBody()
  @ApiOperation({ summary: 'Ingest AI decisions (idempotent on id, all-or-nothing)' })
  @ApiBody({ type: [DecisionIngestItemDto], examples: { batch: { value: DECISION_INGEST_EXAMPLE } } })
  @ApiCreatedResponse({ type: IngestResultDto })
  @ApiIngest()
  ingest(@Body() body: unknown): Promise<IngestResultDto> {
    return this.ai.ingest(validateBatch(DecisionIngestItemDto, body));
  }

  @Patch('decisions/:id')
  @TransparencyWrite()
  @ApiOperation({ summary: "Record a decision's outcome and/or actual return" })
  @ApiOkResponse({ type: DecisionDto })
  @ApiById('AI decision')
  @ApiUnprocessableEntityResponse({ description: 'Invalid or empty body (problem+json).' })
  patch(@Param('id', uuidParam()) id: string, @Body() body: DecisionPatchDto): Promise<DecisionDto> {
    return this.ai.patch(id, body);
  }
}
