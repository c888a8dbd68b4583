import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * One page of a filtered list, newest first, and the true count of matching rows. The id breaks
 * ties between equal timestamps, so pages never overlap or skip a row.
 */
export function newestFirstPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  page: { limit: number; offset: number },
): Promise<[T[], number]> {
  return qb
    .orderBy(`${qb.alias}.timestamp`, 'DESC')
    .addOrderBy(`${qb.alias}.id`, 'DESC')
    .take(page.limit)
    .skip(page.offset)
    .getManyAndCount();
}
