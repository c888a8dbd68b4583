import { ApiHideProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmpty, IsIn, IsOptional } from 'class-validator';
import { validationProblem } from '@app/common';
import { STREAM_TOPIC_NAMES, type StreamTopic } from './stream-topics';

const TOKEN_IN_QUERY =
  'tokens are never accepted in the query string (it ends up in logs and browser history): send Authorization: Bearer <token>';

export class StreamQueryDto {
  @ApiPropertyOptional({
    description: `Comma-separated topics (default all): ${STREAM_TOPIC_NAMES.join(', ')}.`,
    example: 'trades,decisions',
    type: String,
  })
  @IsOptional()
  // `topics=a,b` and `topics=a&topics=b` alike.
  @Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'string') return value.split(',');
    return Array.isArray(value) && value.every((v) => typeof v === 'string')
      ? value.flatMap((v) => v.split(','))
      : value;
  })
  @IsArray({ message: 'must be a comma-separated list of topics' })
  @ArrayMinSize(1)
  @ArrayMaxSize(STREAM_TOPIC_NAMES.length * 2)
  @IsIn(STREAM_TOPIC_NAMES, { each: true, message: `each topic must be one of: ${STREAM_TOPIC_NAMES.join(', ')}` })
  topics?: StreamTopic[];

  // Named only to be refused with a clear reason (an unnamed parameter is refused too).
  @ApiHideProperty()
  @IsEmpty({ message: TOKEN_IN_QUERY })
  access_token?: unknown;

  @ApiHideProperty()
  @IsEmpty({ message: TOKEN_IN_QUERY })
  token?: unknown;
}

/** `Last-Event-ID`: the decimal id of the last event the client received. */
export function parseLastEventId(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (!/^\d{1,15}$/.test(value)) {
    throw validationProblem([{ field: 'Last-Event-ID', message: 'must be the decimal id of a received event' }]);
  }
  return Number(value);
}
