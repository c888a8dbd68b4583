import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trades per (symbol, event type, UTC day), kept exact by triggers on `trade_events`, so the
 * trade list's `total_count` adds up whole days from here and counts rows only in the partial
 * days at the ends of its range (libs/transparency trade-count.ts). Counting 10,000 index
 * entries per request was most of the database's work on an uncached list.
 *
 * Triggers rather than the ingest code: every writer (ingest, demo data, a seed or repair run
 * by hand in psql) keeps the counts right, in the same transaction as the rows, so one statement
 * reading both always sees them agree. The upsert takes its rows in key order, so concurrent
 * batches queue on a shared day instead of deadlocking. `search_path` is pinned to the schema
 * the function is created in, so it finds its table whatever the caller's path.
 */
export class TradeDailyCounts1764440000000 implements MigrationInterface {
  name = 'TradeDailyCounts1764440000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "trade_daily_counts" ("symbol" character varying(20) NOT NULL, "day" date NOT NULL, "event_type" character varying(20) NOT NULL, "trades" bigint NOT NULL, CONSTRAINT "PK_trade_daily_counts" PRIMARY KEY ("symbol", "day", "event_type"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_trade_daily_counts_type_day" ON "trade_daily_counts" ("event_type", "day")`,
    );
    await queryRunner.query(`CREATE INDEX "idx_trade_daily_counts_day" ON "trade_daily_counts" ("day")`);
    await queryRunner.query(
      `INSERT INTO "trade_daily_counts" ("symbol", "day", "event_type", "trades")
       SELECT "symbol", ("timestamp" AT TIME ZONE 'UTC')::date, "event_type", count(*) FROM "trade_events" GROUP BY 1, 2, 3`,
    );
    await queryRunner.query(`
      CREATE FUNCTION "trade_daily_counts_apply"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          DELETE FROM trade_daily_counts;
          RETURN NULL;
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
          UPDATE trade_daily_counts AS c SET trades = c.trades - gone.n
          FROM (SELECT symbol, (timestamp AT TIME ZONE 'UTC')::date AS day, event_type, count(*) AS n
                FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) AS gone
          WHERE c.symbol = gone.symbol AND c.day = gone.day AND c.event_type = gone.event_type;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          INSERT INTO trade_daily_counts AS c (symbol, day, event_type, trades)
          SELECT symbol, (timestamp AT TIME ZONE 'UTC')::date, event_type, count(*)
          FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
          ON CONFLICT (symbol, day, event_type) DO UPDATE SET trades = c.trades + excluded.trades;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "trade_daily_counts_insert" AFTER INSERT ON "trade_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "trade_daily_counts_apply"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trade_daily_counts_update" AFTER UPDATE ON "trade_events" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "trade_daily_counts_apply"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trade_daily_counts_delete" AFTER DELETE ON "trade_events" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "trade_daily_counts_apply"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trade_daily_counts_truncate" AFTER TRUNCATE ON "trade_events" FOR EACH STATEMENT EXECUTE FUNCTION "trade_daily_counts_apply"()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const trigger of ['insert', 'update', 'delete', 'truncate']) {
      await queryRunner.query(`DROP TRIGGER "trade_daily_counts_${trigger}" ON "trade_events"`);
    }
    await queryRunner.query(`DROP FUNCTION "trade_daily_counts_apply"()`);
    await queryRunner.query(`DROP TABLE "trade_daily_counts"`);
  }
}
