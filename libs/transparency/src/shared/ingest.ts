import { ApiProperty } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { type FieldError, flattenValidationErrors, stripPrototypeKeys, validationProblem } from '@app/common';
import {
  type Driver,
  type EntityManager,
  type EntityMetadata,
  type EntityTarget,
  In,
  type ObjectLiteral,
} from 'typeorm';
import { ApplyValueTransformers } from 'typeorm/util/ApplyValueTransformers';
import { columnsNotJsonFaithful, hydrate, hydrateValues, valueArraySql } from './hydrate';

type ColumnMetadata = EntityMetadata['columns'][number];

export const INGEST_MAX_ITEMS = 1000;

/** What an ingest answers: how many items came, how many were new, how many were already stored. */
export class IngestResultDto {
  @ApiProperty({ example: 3 }) received!: number;
  @ApiProperty({ example: 2 }) inserted!: number;
  @ApiProperty({ example: 1 }) already_present!: number;
}

/**
 * A hand-written check of one ingest item for the common case: answers the item exactly as
 * `plainToInstance` would build it when every class-validator rule of the DTO passes, and
 * undefined for anything else, so that the item goes through class-transformer and
 * class-validator, which decide and word the errors. It may refuse a valid item (it then costs
 * the slow path), never accept an invalid one. Each is tested against the slow path.
 */
export type FastItemCheck<T> = (raw: Record<string, unknown>) => T | undefined;

/**
 * Validates an ingest body item by item with the same rules as the global pipe (unknown
 * fields refused, no implicit conversion), so an error names the item: `[3].price`.
 * `fast`, when given, is tried first for each item (see `FastItemCheck`).
 */
export function validateBatch<T extends object>(
  cls: new () => T,
  body: unknown,
  max = INGEST_MAX_ITEMS,
  fast?: FastItemCheck<T>,
): T[] {
  if (!Array.isArray(body)) throw validationProblem([{ field: 'body', message: 'must be a JSON array of items' }]);
  if (body.length < 1 || body.length > max) {
    throw validationProblem([{ field: 'body', message: `must contain between 1 and ${max} items` }]);
  }
  stripPrototypeKeys(body);
  const errors: FieldError[] = [];
  const items = body.map((raw: unknown, index) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      errors.push({ field: `[${index}]`, message: 'must be an object' });
      return undefined as unknown as T;
    }
    const checked = fast?.(raw as Record<string, unknown>);
    if (checked !== undefined) return checked;
    const { item, errors: itemErrors } = validateItem(cls, raw, `[${index}]`);
    errors.push(...itemErrors);
    return item;
  });
  if (errors.length > 0) throw validationProblem(errors.slice(0, 100));
  return items;
}

/** One item through class-transformer and class-validator: the reference `validateBatch` applies. */
export function validateItem<T extends object>(
  cls: new () => T,
  raw: object,
  field: string,
): { item: T; errors: FieldError[] } {
  const item = plainToInstance(cls, raw, { enableImplicitConversion: false });
  const itemErrors = validateSync(item, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  return { item, errors: flattenValidationErrors(itemErrors, field) };
}

/**
 * Multi-row `INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id`, in chunks inside the
 * caller's transaction: re-sending a batch inserts nothing and reports it as already present.
 * Answers the ids actually inserted.
 */
export async function insertIgnoringDuplicates<E extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  rows: Partial<E>[],
  idColumn = 'id',
  chunkSize = 1000,
): Promise<string[]> {
  const inserted: string[] = [];
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(chunk)
      .orIgnore()
      .returning(idColumn)
      .updateEntity(false)
      .execute();
    inserted.push(...(result.raw as Record<string, string>[]).map((row) => row[idColumn]));
  }
  return inserted;
}

/**
 * `INSERT ... ON CONFLICT DO NOTHING RETURNING *` in chunks inside the caller's transaction,
 * answering the rows actually inserted as entities, in `rows` order: what a read of them
 * returns, numeric columns rounded to their scale included, without a second query.
 *
 * The rows travel as one JSON parameter expanded by `json_to_recordset` (see
 * `recordsetInsert`): a 500-row batch as 14 x 500 bind parameters cost more, in the API (binding,
 * the statement text, the bytes on the socket) and in Postgres (parsing and planning the VALUES
 * list), than the insert itself. The statement is built here from the entity's metadata rather
 * than by the query builder, whose per-parameter bookkeeping is costlier still. A property left
 * undefined takes the column's default, as the query builder would.
 */
export async function insertReturningStored<E extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  rows: Partial<E>[],
  chunkSize = 1000,
): Promise<E[]> {
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const columns = metadata.columns.filter((column) => column.isInsert && !column.isVirtual);
  const returnsJson = columnsNotJsonFaithful(metadata).length === 0;
  const stored: E[] = [];
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize) as Record<string, unknown>[];
    const statement =
      recordsetInsert(metadata, driver, columns, chunk) ?? valuesInsert(metadata, driver, columns, chunk);
    if (returnsJson) {
      const [row] = await manager.query<{ rows: unknown[][] }[]>(
        returningAsJson(metadata, driver, statement.sql),
        statement.params,
      );
      for (const values of row.rows) stored.push(hydrateValues<E>(metadata, driver, values));
    } else {
      const returned = await manager.query<Record<string, unknown>[]>(statement.sql, statement.params);
      for (const raw of returned) stored.push(hydrate<E>(metadata, driver, raw));
    }
  }
  return stored;
}

/**
 * The inserted rows as one JSON array of value arrays (see `hydrateValues`) instead of one
 * result row each: the driver's cost is per field, and a 500-row batch came back as 7,000 of them.
 * In the order `RETURNING` gives them, as before: Postgres materialises a data-modifying CTE
 * and the aggregate reads it back in that order.
 */
function returningAsJson(metadata: EntityMetadata, driver: Driver, insertSql: string): string {
  const row = valueArraySql(metadata, driver, 'inserted');
  return `WITH "inserted" AS (${insertSql}) SELECT coalesce(json_agg(${row}), '[]') AS "rows" FROM "inserted"`;
}

interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * The recordset column type for each column type the JSON path handles: the base type without
 * length or scale, so the INSERT's own assignment checks them (a too-long string is the same
 * error as with bind parameters, never a silent truncation).
 */
const RECORDSET_TYPES: Readonly<Record<string, string>> = {
  uuid: 'uuid',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  varchar: 'text',
  'character varying': 'text',
  text: 'text',
  numeric: 'numeric',
  integer: 'integer',
  int: 'integer',
  int4: 'integer',
  json: 'json',
  jsonb: 'jsonb',
};

/** A JSON escape Postgres refuses in `json` input converted to text: NUL or a lone surrogate. */
const REFUSED_ESCAPE = /\\u(?:0000|d[89a-f])/i;

/**
 * `INSERT INTO t (cols) SELECT cols FROM json_to_recordset($1::json) AS x(col type, ...)`: the
 * chunk as one JSON array of objects keyed by column name. A value is written as the bind
 * parameter path would send it (`preparePersistentValue`: transformers; a timestamp as its ISO
 * string, the same instant; JSON numbers print as `String(n)` does), and a json/jsonb value as itself, nested.
 *
 * Undefined instead (the caller falls back to bind parameters) for anything this path would not
 * store exactly alike: a column type not in `RECORDSET_TYPES` (or an array column), a column set
 * in some rows and left to its default in others, a non-finite number (JSON has no NaN), an
 * invalid Date, or a string Postgres's JSON input refuses (NUL, lone surrogates: the validators
 * refuse these before an insert).
 */
function recordsetInsert(
  metadata: EntityMetadata,
  driver: Driver,
  columns: readonly ColumnMetadata[],
  chunk: readonly Record<string, unknown>[],
): Statement | undefined {
  if (chunk.length === 0) return undefined;
  const present = columns.filter((column) => chunk[0][column.propertyName] !== undefined);
  if (present.length === 0) return undefined;
  const absent = columns.filter((column) => !present.includes(column));
  const types: string[] = [];
  const asJson: boolean[] = [];
  for (const column of present) {
    const type = typeof column.type === 'string' && !column.isArray ? RECORDSET_TYPES[column.type] : undefined;
    if (type === undefined) return undefined;
    types.push(type);
    asJson.push(type === 'json' || type === 'jsonb');
  }
  const records: Record<string, unknown>[] = new Array<Record<string, unknown>>(chunk.length);
  for (let i = 0; i < chunk.length; i++) {
    const row = chunk[i];
    const record: Record<string, unknown> = {};
    for (let c = 0; c < present.length; c++) {
      const column = present[c];
      let value = row[column.propertyName];
      if (value === undefined) return undefined;
      if (asJson[c]) {
        if (column.transformer) value = ApplyValueTransformers.transformTo(column.transformer, value);
      } else {
        value = driver.preparePersistentValue(value, column);
        if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
        // What JSON.stringify would write, without its per-value toJSON call.
        if (value instanceof Date) {
          if (Number.isNaN(value.getTime())) return undefined;
          value = value.toISOString();
        }
      }
      record[column.databaseName] = value;
    }
    // A column left to its default in the first row must be left to it in every row.
    if (absent.some((column) => row[column.propertyName] !== undefined)) return undefined;
    records[i] = record;
  }
  const json = JSON.stringify(records);
  if (REFUSED_ESCAPE.test(json)) return undefined;
  const names = present.map((column) => `"${column.databaseName}"`);
  const definitions = present.map((column, c) => `"${column.databaseName}" ${types[c]}`);
  return {
    sql:
      `INSERT INTO "${metadata.tableName}" (${names.join(', ')}) ` +
      `SELECT ${names.map((name) => `x.${name}`).join(', ')} FROM json_to_recordset($1::json) AS x(${definitions.join(', ')}) ` +
      `ON CONFLICT (${conflictTarget(metadata)}) DO NOTHING RETURNING *`,
    params: [json],
  };
}

/** The general form: one bind parameter per value, `DEFAULT` for an undefined one. */
function valuesInsert(
  metadata: EntityMetadata,
  driver: Driver,
  columns: readonly ColumnMetadata[],
  chunk: readonly Record<string, unknown>[],
): Statement {
  const params: unknown[] = [];
  const tuples: string[] = [];
  for (const row of chunk) {
    const values = columns.map((column) => {
      const value: unknown = row[column.propertyName];
      if (value === undefined) return 'DEFAULT';
      params.push(driver.preparePersistentValue(value, column));
      return `$${params.length}`;
    });
    tuples.push(`(${values.join(', ')})`);
  }
  const columnList = columns.map((column) => `"${column.databaseName}"`).join(', ');
  return {
    sql: `INSERT INTO "${metadata.tableName}" (${columnList}) VALUES ${tuples.join(', ')} ON CONFLICT (${conflictTarget(metadata)}) DO NOTHING RETURNING *`,
    params,
  };
}

function conflictTarget(metadata: EntityMetadata): string {
  return metadata.primaryColumns.map((column) => `"${column.databaseName}"`).join(', ');
}

/**
 * The rows just written, read back inside the same transaction, in `ids` order: what a stream
 * event carries must be what a read returns (numeric columns rounded to their scale included).
 */
export async function readBack<E extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  ids: readonly string[],
  idOf: (row: E) => string,
): Promise<E[]> {
  if (ids.length === 0) return [];
  const rows: E[] = await manager.getRepository(entity).findBy({ id: In([...ids]) } as never);
  const byId = new Map(rows.map((row) => [idOf(row), row]));
  return ids.flatMap((id): E[] => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
}
