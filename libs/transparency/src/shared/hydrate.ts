import type { Driver, EntityMetadata, ObjectLiteral } from 'typeorm';

/**
 * An entity from a raw row keyed by column database names, converted as TypeORM converts a
 * loaded column (the driver's type handling, then the column's transformer: `numeric` becomes
 * a number). TypeORM's own result transformer (`getMany`, `getRawAndEntities`) does the same
 * plus the bookkeeping joins and relations need, and was the largest single cost of an uncached
 * 50-row page; these lists select one entity with no joins.
 */
export function hydrate<E extends ObjectLiteral>(
  metadata: EntityMetadata,
  driver: Driver,
  raw: Record<string, unknown>,
): E {
  const entity = metadata.create() as E;
  for (const column of metadata.columns) {
    column.setEntityValue(entity, driver.prepareHydratedValue(raw[column.databaseName], column));
  }
  return entity;
}
