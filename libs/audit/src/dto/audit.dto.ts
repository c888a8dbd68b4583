import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsStorableText, MAX_PAGE_OFFSET } from '@app/common';
import { IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class AuditQueryDto {
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

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound on `occurred_at`.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive upper bound on `occurred_at`.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_OFFSET)
  offset: number = 0;
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
  @ApiProperty({ description: 'SHA-256 of the predecessor record (64 zeros for the first).' }) prev_hash!: string;
  @ApiProperty({ description: 'SHA-256 over `prev_hash` and this record’s canonical content.' }) hash!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditRecordDto] }) records!: AuditRecordDto[];
  @ApiProperty({ example: 1234 }) total_count!: number;
  @ApiProperty({ example: 50 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class AuditVerifyDto {
  @ApiProperty({ description: 'Every hash recomputes and every link names its predecessor.' }) valid!: boolean;
  @ApiProperty({ description: 'Records examined (up to and including the first broken one).' }) checked!: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) first_broken_id!: string | null;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}
