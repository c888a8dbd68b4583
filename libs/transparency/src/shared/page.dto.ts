import { ApiProperty } from '@nestjs/swagger';

/** The envelope fields every paginated list carries (SPEC §1). */
export class PageMetaDto {
  @ApiProperty({ description: 'True number of matching rows, not the page length.', example: 312 })
  total_count!: number;
  @ApiProperty({ example: 50 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T12:00:00.000Z' }) timestamp!: string;
}
