import type { EntityMetadata, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { hydrate } from './hydrate';

/** A count as an SQL expression over its own named parameters (prefixed, so they never clash with a page's). */
export interface CountExpression {
  sql: string;
  parameters: Record<string, unknown>;
}

/**
 * Column types whose JSON spelling (`to_json`) converts back to exactly what `pg` hands TypeORM
 * for the text protocol: strings stay strings, `numeric` becomes the same number its transformer
 * would make of the text, a `timestamptz` an ISO 8601 string with its offset (the same instant
 * to the millisecond, fractions truncated as `pg` truncates them), `jsonb` the object itself.
 * Not `bigint` (JSON numbers lose precision past 2^53), `date` or `bytea`: an entity with those
 * needs its own page query.
 */
const JSON_FAITHFUL_TYPES = new Set<unknown>([
  'uuid',
  'varchar',
  'character varying',
  'text',
  'char',
  'numeric',
  'integer',
  'int',
  'boolean',
  'timestamptz',
  'timestamp with time zone',
  'jsonb',
  'json',
]);

const checkedEntities = new WeakSet<EntityMetadata>();

function assertJsonFaithful(metadata: EntityMetadata): void {
  if (checkedEntities.has(metadata)) return;
  const unfit = metadata.columns.filter((c) => !JSON_FAITHFUL_TYPES.has(c.type));
  if (unfit.length > 0) {
    const names = unfit.map((c) => `${c.databaseName} (${String(c.type)})`).join(', ');
    throw new Error(`${metadata.tableName}: columns ${names} do not survive a JSON page`);
  }
  checkedEntities.add(metadata);
}

/**
 * One page of a filtered list, newest first, and the true count of matching rows. The id breaks
 * ties between equal timestamps, so pages never overlap or skip a row.
 *
 * One statement answers both, as a single row: the count is a scalar subquery over the same
 * filters (a plain `count(*)`, which an index on the filter's columns answers, index-only once
 * the table is vacuumed), and the page is one JSON array built by Postgres (`json_agg`). Every
 * filter column has an index ending in `(<order column>, id)`, so the page is a backward index
 * scan that stops after offset + limit rows, with no sort.
 *
 * Why JSON: the `pg` driver's cost is per field of each row (a message, a string decode and a
 * type parser for each of the page's 50 × 14 values), and one JSON text parsed at once costs
 * about half as much; the JSON values are converted exactly as the row's would be (see
 * `JSON_FAITHFUL_TYPES` and `hydrate`). The aggregate carries its own ORDER BY: the order of the
 * rows it receives from the subquery is not guaranteed.
 *
 * `orderBy` is the entity property the list is ordered by (newest first); the helper adds the
 * id and the page bounds. The builder must select one entity with no joins. `total`, when
 * given, replaces the plain count with a cheaper expression of the same number (the trade
 * list's daily counts).
 */
export async function newestFirstPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  page: { limit: number; offset: number },
  orderBy = 'timestamp',
  total?: CountExpression | null,
): Promise<[T[], number]> {
  const alias = qb.alias;
  const metadata = qb.expressionMap.mainAlias!.metadata;
  assertJsonFaithful(metadata);
  // The same filters (and parameters, by name) with the same alias, which inside the
  // subquery refers to its own FROM: Postgres resolves the innermost first.
  const count =
    total?.sql ?? `(${qb.clone().select('count(*)').orderBy().limit(undefined).offset(undefined).getQuery()})`;
  if (total) qb.setParameters(total.parameters);
  const { driver } = qb.connection;
  const pageSql = qb
    .select(
      metadata.columns.map(
        (c) => `${driver.escape(alias)}.${driver.escape(c.databaseName)} AS ${driver.escape(c.databaseName)}`,
      ),
    )
    .orderBy(`${alias}.${orderBy}`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(page.limit)
    .offset(page.offset)
    .getQuery();
  const orderColumn = driver.escape(metadata.findColumnWithPropertyName(orderBy)!.databaseName);
  const idColumn = driver.escape(metadata.findColumnWithPropertyName('id')!.databaseName);
  const [sql, parameters] = driver.escapeQueryWithParameters(
    `SELECT (${count}) AS "total", (SELECT coalesce(json_agg("page" ORDER BY "page".${orderColumn} DESC, ` +
      `"page".${idColumn} DESC), '[]') FROM (${pageSql}) "page") AS "rows"`,
    qb.getParameters(),
  );
  const [row] = await qb.connection.query<{ total: string; rows: Record<string, unknown>[] }[]>(sql, parameters);
  return [row.rows.map((raw) => hydrate<T>(metadata, driver, raw)), Number(row.total)];
}
