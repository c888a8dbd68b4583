import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { hydrate } from './hydrate';

/** A count as an SQL expression over its own named parameters (prefixed, so they never clash with a page's). */
export interface CountExpression {
  sql: string;
  parameters: Record<string, unknown>;
}

/**
 * One page of a filtered list, newest first, and the true count of matching rows. The id breaks
 * ties between equal timestamps, so pages never overlap or skip a row.
 *
 * One statement answers both: the count is a scalar subquery over the same filters beside the
 * page (Postgres runs it once, as an InitPlan), so a request is one round trip, and it is a plain
 * `count(*)`, which an index on the filter's columns answers (index-only once the table is
 * vacuumed). Every filter column has an index ending in `(<order column>, id)`, so the page is a
 * backward index scan that stops after offset + limit rows, with no sort.
 *
 * Every row of the page carries the total. An empty page has no row to carry it: at offset 0 the
 * total is 0, past the end (offset >= total) it is counted on its own.
 *
 * `orderBy` is the entity property the list is ordered by (newest first); the helper adds the
 * id and the page bounds. The builder must select one entity with no joins: the page selects
 * the entity's columns by name and hydrates them itself (see `hydrate`). `total`, when given,
 * replaces the plain count with a cheaper expression of the same number (the trade list's
 * daily counts).
 */
export async function newestFirstPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  page: { limit: number; offset: number },
  orderBy = 'timestamp',
  total?: CountExpression | null,
): Promise<[T[], number]> {
  const alias = qb.alias;
  // The same filters (and parameters, by name) with the same alias, which inside the
  // subquery refers to its own FROM: Postgres resolves the innermost first.
  const count =
    total?.sql ?? `(${qb.clone().select('count(*)').orderBy().limit(undefined).offset(undefined).getQuery()})`;
  if (total) qb.setParameters(total.parameters);
  const metadata = qb.expressionMap.mainAlias!.metadata;
  const { driver } = qb.connection;
  const raw = await qb
    .select(
      metadata.columns.map(
        (c) => `${driver.escape(alias)}.${driver.escape(c.databaseName)} AS ${driver.escape(c.databaseName)}`,
      ),
    )
    .addSelect(`(${count})`, 'page_total')
    .orderBy(`${alias}.${orderBy}`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(page.limit)
    .offset(page.offset)
    .getRawMany<Record<string, unknown> & { page_total: string }>();
  const entities = raw.map((row) => hydrate<T>(metadata, driver, row));
  if (raw.length > 0) return [entities, Number(raw[0].page_total)];
  if (page.offset === 0) return [entities, 0];
  const [sql, parameters] = driver.escapeQueryWithParameters(`SELECT ${count} AS "total"`, qb.getParameters());
  const [row] = await qb.connection.query<{ total: string }[]>(sql, parameters);
  return [entities, Number(row?.total ?? 0)];
}
