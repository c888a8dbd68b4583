import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import {
  ApiExtension,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { TransparencyRead } from '@app/common';
import { StreamHub } from './stream-hub.service';
import { parseLastEventId, StreamQueryDto } from './stream.dto';
import { STREAM_TOPIC_NAMES, STREAM_TOPICS, type StreamEventType } from './stream-topics';

const EXAMPLE = [
  'retry: 1000',
  '',
  'id: 1042',
  'event: trade',
  'data: {"id":"0b6f3c1e-4f8a-4c39-9a55-1f0e6c1d2a10","timestamp":"2026-11-29T10:15:00.000Z","symbol":"BTC-USD","event_type":"order_filled","side":"buy","quantity":0.5,"price":60000,"total_value":30000,"fee":15,"realized_pnl":null,"status":"filled","order_type":"market","strategy":"momentum-v2","data":{}}',
  '',
  ': heartbeat',
  '',
].join('\n');

@ApiTags('stream')
@Controller('stream')
export class StreamController {
  constructor(private readonly hub: StreamHub) {}

  /**
   * Takes the raw response on purpose: an SSE stream needs back-pressure (the socket's unsent
   * bytes decide when a slow client is cut off), which an Observable returned to `@Sse()`
   * cannot see. Refusals are thrown before the first byte, so they stay problem responses.
   */
  @Get()
  @TransparencyRead()
  @ApiOperation({
    summary: 'Live stream of trades, portfolio snapshots and AI decisions (Server-Sent Events)',
    description:
      'Events `trade`, `snapshot` and `decision` carry in `data` the JSON object the matching read returns ' +
      '(TradeDto, PortfolioDto plus `id`, DecisionDto); each has an `id:` that orders it. Send `Last-Event-ID` to ' +
      'resume: missed events of the last hour (at most 1,000) are replayed first. A comment heartbeat keeps the ' +
      'connection alive. The server ends a stream with `event: error` and `data: {"reason","detail"}` (reason ' +
      '`slow_consumer`, `token_revoked`, `token_expired` or `shutdown`). Tokens are accepted only in the ' +
      'Authorization header.',
  })
  @ApiProduces('text/event-stream')
  @ApiExtension('x-sse-events', {
    trade: { $ref: '#/components/schemas/TradeDto' },
    snapshot: {
      allOf: [
        { $ref: '#/components/schemas/PortfolioDto' },
        { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
      ],
    },
    decision: { $ref: '#/components/schemas/DecisionDto' },
    error: {
      type: 'object',
      required: ['reason', 'detail'],
      properties: {
        reason: { type: 'string', enum: ['slow_consumer', 'token_revoked', 'token_expired', 'shutdown'] },
        detail: { type: 'string' },
      },
    },
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id of the last event received: resume after it.',
  })
  @ApiOkResponse({
    description: 'An open `text/event-stream`.',
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          description: `SSE frames; event names: ${Object.values(STREAM_TOPICS).join(', ')}, error.`,
        },
        example: EXAMPLE,
      },
    },
  })
  @ApiUnprocessableEntityResponse({
    description:
      'Unknown topic, unknown query parameter, a token in the query string, or a malformed Last-Event-ID (problem+json).',
  })
  @ApiTooManyRequestsResponse({
    description: 'Rate limited, or the client already holds STREAM_MAX_PER_SUBJECT open streams (problem+json).',
  })
  @ApiServiceUnavailableResponse({
    description: 'The database is unreachable, or the server is shutting down (problem+json).',
  })
  async open(
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const topics = new Set<StreamEventType>((query.topics ?? STREAM_TOPIC_NAMES).map((topic) => STREAM_TOPICS[topic]));
    await this.hub.open(req, res, { topics, lastEventId: parseLastEventId(lastEventId) });
  }
}
