import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The filtered lists (trades by symbol or event type, AI decisions by model, symbol or outcome)
 * are ordered by (timestamp DESC, id DESC). Their indexes ended at timestamp, so every page sorted
 * the rows of each timestamp by id; ending them in (timestamp, id) lets a page be read straight
 * off the index. Each replaces the narrower index of the same filter, which it also serves.
 */
export class ListPageIndexes1764430000000 implements MigrationInterface {
  name = 'ListPageIndexes1764430000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, oldName, newName, column] of INDEXES) {
      await queryRunner.query(`CREATE INDEX "${newName}" ON "${table}" ("${column}", "timestamp", "id")`);
      await queryRunner.query(`DROP INDEX "${oldName}"`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, oldName, newName, column] of INDEXES) {
      await queryRunner.query(`CREATE INDEX "${oldName}" ON "${table}" ("${column}", "timestamp")`);
      await queryRunner.query(`DROP INDEX "${newName}"`);
    }
  }
}

/** [table, index replaced, its replacement, filter column] */
const INDEXES: ReadonlyArray<readonly [string, string, string, string]> = [
  ['trade_events', 'idx_trade_events_symbol_timestamp', 'idx_trade_events_symbol_timestamp_id', 'symbol'],
  ['trade_events', 'idx_trade_events_type_timestamp', 'idx_trade_events_type_timestamp_id', 'event_type'],
  ['ai_decisions', 'idx_ai_decisions_model_timestamp', 'idx_ai_decisions_model_timestamp_id', 'model_name'],
  ['ai_decisions', 'idx_ai_decisions_symbol_timestamp', 'idx_ai_decisions_symbol_timestamp_id', 'symbol'],
  ['ai_decisions', 'idx_ai_decisions_outcome_timestamp', 'idx_ai_decisions_outcome_timestamp_id', 'outcome'],
];
