import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';

/**
 * The largest offset accepted: Postgres takes OFFSET as a bigint, and a bigger number
 * (`?offset=99999999999999999999`) would fail in the database as a 500 instead of a 422.
 */
export const MAX_PAGE_OFFSET = Number.MAX_SAFE_INTEGER;

export interface PaginationOptions {
  /** Largest `limit` a caller may ask for. */
  max: number;
  /** `limit` when the caller sends none. */
  default: number;
}

/**
 * `limit`/`offset` query fields of a paginated list (docs/api-guide.md), validated (`limit` 1..max,
 * `offset` >= 0, integers, 422 otherwise) and documented once: a query DTO extends
 * `PaginationQuery({ max: 500, default: 50 })` and adds its filters after them.
 */
export function PaginationQuery(options: PaginationOptions) {
  class PaginationQueryDto {
    @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: options.max, default: options.default })
    @Type(() => Number)
    @IsInt()
    @Min(1)
    @Max(options.max)
    limit: number = options.default;

    @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
    @Type(() => Number)
    @IsInt()
    @Min(0)
    @Max(MAX_PAGE_OFFSET)
    offset: number = 0;
  }
  return PaginationQueryDto;
}

/**
 * An optional `from`/`to` bound of a list filter: a strict ISO 8601 date-time (422 otherwise),
 * documented as one; `description` says which time it bounds and whether inclusively.
 */
export const TimeBoundQuery = (description: string): PropertyDecorator =>
  applyDecorators(ApiPropertyOptional({ format: 'date-time', description }), IsOptional(), IsISO8601({ strict: true }));

/** The envelope of a paginated list answer (docs/api-guide.md): the true count, the page asked for, when. */
export interface PageMeta {
  total_count: number;
  limit: number;
  offset: number;
  timestamp: string;
}

/**
 * The documented envelope of a paginated list: a page DTO extends it and adds its items
 * (`class TradesPageDto extends PageMetaDto { trades!: TradeDto[] }`), and the handler
 * returns `{ <items>, ...pageMeta(total, query) }`.
 */
export class PageMetaDto implements PageMeta {
  @ApiProperty({ description: 'True number of matching rows, not the page length.', example: 312 })
  total_count!: number;
  @ApiProperty({ example: 50 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T12:00:00.000Z' }) timestamp!: string;
}

export function pageMeta(totalCount: number, page: { limit: number; offset: number }): PageMeta {
  return { total_count: totalCount, limit: page.limit, offset: page.offset, timestamp: new Date().toISOString() };
}
