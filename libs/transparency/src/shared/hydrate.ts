import type { Driver, EntityMetadata, ObjectLiteral } from 'typeorm';

type ColumnMetadata = EntityMetadata['columns'][number];

/**
 * Column types whose JSON spelling (`to_json`) converts back to exactly what `pg` hands TypeORM
 * for the text protocol: strings stay strings, `numeric` becomes the same number its transformer
 * would make of the text, a `timestamptz` an ISO 8601 string with its offset (the same instant
 * to the millisecond, fractions truncated as `pg` truncates them), `jsonb` the object itself.
 * Not `bigint` (JSON numbers lose precision past 2^53), `date` or `bytea`.
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

const notJsonFaithful = new WeakMap<EntityMetadata, readonly ColumnMetadata[]>();

/**
 * The entity's columns that cannot be read back from JSON (empty: its rows can travel as JSON).
 * Worked out once per entity: every ingest asks.
 */
export function columnsNotJsonFaithful(metadata: EntityMetadata): readonly ColumnMetadata[] {
  let unfit = notJsonFaithful.get(metadata);
  if (!unfit) {
    unfit = metadata.columns.filter((column) => column.isArray || !JSON_FAITHFUL_TYPES.has(column.type));
    notJsonFaithful.set(metadata, unfit);
  }
  return unfit;
}

/** One column of an entity as hydration needs it, worked out once per entity. */
interface HydratedColumn {
  column: ColumnMetadata;
  databaseName: string;
  propertyName: string;
  /**
   * Whether TypeORM's `setEntityValue` comes down to `entity[propertyName] = value`: a column
   * neither in an embedded nor virtual (what it checks before that assignment).
   */
  direct: boolean;
}

/** Per entity metadata (so per data source), in the metadata's column order. */
const plans = new WeakMap<EntityMetadata, HydratedColumn[]>();

/** The entity's columns in `metadata.columns` order: the order `hydrateValues` expects values in. */
function hydrationPlan(metadata: EntityMetadata): readonly HydratedColumn[] {
  let plan = plans.get(metadata);
  if (!plan) {
    plan = metadata.columns.map((column) => ({
      column,
      databaseName: column.databaseName,
      propertyName: column.propertyName,
      direct: !column.embeddedMetadata && !column.isVirtual,
    }));
    plans.set(metadata, plan);
  }
  return plan;
}

function assign(entity: ObjectLiteral, step: HydratedColumn, value: unknown): void {
  if (step.direct) entity[step.propertyName] = value;
  else step.column.setEntityValue(entity, value);
}

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
  return hydrateValues(
    metadata,
    driver,
    hydrationPlan(metadata).map((step) => raw[step.databaseName]),
  );
}

/**
 * The same from the row's values alone, in `hydrationPlan` order: a row without its column
 * names is a third smaller as JSON, and quicker to parse and to read.
 */
export function hydrateValues<E extends ObjectLiteral>(
  metadata: EntityMetadata,
  driver: Driver,
  values: readonly unknown[],
): E {
  const plan = hydrationPlan(metadata);
  if (values.length !== plan.length) {
    throw new Error(`${metadata.tableName}: a row of ${values.length} values for ${plan.length} columns`);
  }
  const entity = metadata.create() as E;
  for (let i = 0; i < plan.length; i++) {
    assign(entity, plan[i], driver.prepareHydratedValue(values[i], plan[i].column));
  }
  return entity;
}

/**
 * SQL for a row of `alias` as a JSON array of its values in `hydrationPlan` order, what
 * `hydrateValues` reads: `json_build_array("alias"."id", "alias"."timestamp", ...)`.
 */
export function valueArraySql(metadata: EntityMetadata, driver: Driver, alias: string): string {
  const values = hydrationPlan(metadata).map((step) => `${driver.escape(alias)}.${driver.escape(step.databaseName)}`);
  return `json_build_array(${values.join(', ')})`;
}
