import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsStorableText, PageMetaDto, PaginationQuery, TimeBoundQuery } from '@app/common';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class AuditQueryDto extends PaginationQuery({ max: 500, default: 50 }) {
  @ApiPropertyOptional({ description: 'Username, token subject or `anonymous`.', example: 'admin' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  @IsStorableText()
  actor?: string;

  @ApiPropertyOptional({ description: '`http.request` or a security event type.', example: 'login.failure' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsStorableText()
  event?: string;

  @ApiPropertyOptional({ minimum: 100, maximum: 599, example: 401 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(599)
  status?: number;

  @TimeBoundQuery('Inclusive lower bound on `occurred_at`.') from?: string;
  @TimeBoundQuery('Inclusive upper bound on `occurred_at`.') to?: string;
}

export class AuditRecordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T11:55:00.000Z' }) occurred_at!: string;
  @ApiProperty({ nullable: true, type: String, example: '5d7c0e5e-93a4-4d0b-a0a4-0d0d1c3f4b2a' })
  request_id!: string | null;
  @ApiProperty({ example: 'admin' }) actor!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The token `jti`, never the token.' })
  token_id!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '203.0.113.7' }) ip!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'GET' }) method!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Route template; null when no route matched.' })
  route!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Path without the query string.' })
  path!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 200 }) status!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 2.417 }) duration_ms!: number | null;
  @ApiProperty({ nullable: true, type: String }) user_agent!: string | null;
  @ApiProperty({ example: 'http.request' }) event!: string;
  @ApiProperty({ nullable: true, type: Object }) detail!: Record<string, unknown> | null;
  @ApiProperty({ description: 'Link of the predecessor record (64 zeros for the first).' }) prev_hash!: string;
  @ApiProperty({
    description: 'HMAC-SHA256 under the audit key over `prev_hash` and this record’s canonical content (hex).',
  })
  hash!: string;
  @ApiProperty({
    enum: ['hmac-sha256', 'sha256'],
    description: '`sha256`: an unkeyed link written before the chain was keyed.',
  })
  chain_alg!: string;
}

export class AuditPageDto extends PageMetaDto {
  @ApiProperty({ type: [AuditRecordDto] }) records!: AuditRecordDto[];
}

export class AuditVerifyQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'Recheck the whole chain instead of resuming after the last verified record.',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  full?: 'true' | 'false';
}

export class AuditVerifyDto {
  @ApiProperty({ description: 'Every link recomputes under the key and names its predecessor.' }) valid!: boolean;
  @ApiProperty({
    type: 'integer',
    description: 'Records examined in this run (up to and including the first broken one).',
  })
  checked!: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) first_broken_id!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['hash_mismatch', 'broken_link', 'unknown_key', 'unkeyed_record', 'truncated'],
    description: 'Which rule the chain breaks; null when valid.',
  })
  reason!: string | null;
  @ApiProperty({ description: 'True when the whole chain was checked, false when it resumed from the checkpoint.' })
  full!: boolean;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}
