import { ApiProperty } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { type FieldError, flattenValidationErrors, stripPrototypeKeys, validationProblem } from '@app/common';
import { type EntityManager, type EntityTarget, In, type ObjectLiteral } from 'typeorm';

export const INGEST_MAX_ITEMS = 1000;

/** What an ingest answers: how many items came, how many were new, how many were already stored. */
export class IngestResultDto {
  @ApiProperty({ example: 3 }) received!: number;
  @ApiProperty({ example: 2 }) inserted!: number;
  @ApiProperty({ example: 1 }) already_present!: number;
}

/**
 * Validates an ingest body item by item with the same rules as the global pipe (unknown
 * fields refused, no implicit conversion), so an error names the item: `[3].price`.
 */
export function validateBatch<T extends object>(cls: new () => T, body: unknown, max = INGEST_MAX_ITEMS): T[] {
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
    const item = plainToInstance(cls, raw, { enableImplicitConversion: false });
    const itemErrors = validateSync(item, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    });
    errors.push(...flattenValidationErrors(itemErrors, `[${index}]`));
    return item;
  });
  if (errors.length > 0) throw validationProblem(errors.slice(0, 100));
  return items;
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
 * The statement is built here from the entity's metadata rather than by the query builder,
 * whose per-parameter bookkeeping cost more CPU than the database spent on a 500-row batch.
 * A property left undefined takes the column's default, as the query builder would.
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
  const conflict = metadata.primaryColumns.map((column) => `"${column.databaseName}"`).join(', ');
  const table = `"${metadata.tableName}"`;
  const columnList = columns.map((column) => `"${column.databaseName}"`).join(', ');
  const stored: E[] = [];
  for (let start = 0; start < rows.length; start += chunkSize) {
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let i = start; i < Math.min(rows.length, start + chunkSize); i++) {
      const row = rows[i] as Record<string, unknown>;
      const values = columns.map((column) => {
        const value: unknown = row[column.propertyName];
        if (value === undefined) return 'DEFAULT';
        params.push(driver.preparePersistentValue(value, column));
        return `$${params.length}`;
      });
      tuples.push(`(${values.join(', ')})`);
    }
    const returned = await manager.query<Record<string, unknown>[]>(
      `INSERT INTO ${table} (${columnList}) VALUES ${tuples.join(', ')} ON CONFLICT (${conflict}) DO NOTHING RETURNING *`,
      params,
    );
    for (const raw of returned) {
      const hydrated = metadata.create() as E;
      for (const column of metadata.columns) {
        column.setEntityValue(hydrated, driver.prepareHydratedValue(raw[column.databaseName], column));
      }
      stored.push(hydrated);
    }
  }
  return stored;
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
