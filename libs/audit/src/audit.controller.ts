import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ApiProblemException, pageMeta, RetryOnConnectionLoss, Scopes } from '@app/common';
import { type AuditRow, AuditStore, VerifyBusyError } from './audit-store';
import { AuditPageDto, AuditQueryDto, type AuditRecordDto, AuditVerifyDto, AuditVerifyQueryDto } from './dto/audit.dto';

function toDto(row: AuditRow): AuditRecordDto {
  return {
    id: row.id,
    occurred_at: row.occurred_at.toISOString(),
    request_id: row.request_id,
    actor: row.actor,
    token_id: row.token_id,
    ip: row.ip,
    method: row.method,
    route: row.route,
    path: row.path,
    status: row.status,
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
    user_agent: row.user_agent,
    event: row.event,
    detail: row.detail,
    prev_hash: row.prev_hash,
    hash: row.hash,
    chain_alg: row.chain_alg,
  };
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly store: AuditStore) {}

  @Get()
  @Scopes('audit:read')
  @RetryOnConnectionLoss()
  @ApiOperation({ summary: 'Audit records, newest first (requests and security events).' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiUnprocessableEntityResponse({ description: 'Invalid filter (problem+json).' })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const from = query.from === undefined ? undefined : new Date(query.from);
    const to = query.to === undefined ? undefined : new Date(query.to);
    if (from && to && from > to) {
      throw new ApiProblemException({
        status: 422,
        detail: '`from` is after `to`.',
        errors: [{ field: 'from', message: 'must not be after to' }],
      });
    }
    const { rows, total } = await this.store.list({ ...query, from, to });
    return {
      records: rows.map(toDto),
      ...pageMeta(total, query),
    };
  }

  @Get('verify')
  @Scopes('audit:read')
  @RetryOnConnectionLoss()
  @ApiOperation({
    summary: 'Checks the keyed hash chain from the last checkpoint (or all of it) and names the first broken record.',
  })
  @ApiOkResponse({ type: AuditVerifyDto })
  @ApiConflictResponse({ description: 'Another verification is running (problem+json, `Retry-After`).' })
  async verify(@Query() query: AuditVerifyQueryDto): Promise<AuditVerifyDto> {
    try {
      return { ...(await this.store.verify(query.full === 'true')), timestamp: new Date().toISOString() };
    } catch (error) {
      if (!(error instanceof VerifyBusyError)) throw error;
      throw new ApiProblemException(
        { status: 409, detail: 'Another audit chain verification is running; retry when it has finished.' },
        { 'Retry-After': '5' },
      );
    }
  }
}
