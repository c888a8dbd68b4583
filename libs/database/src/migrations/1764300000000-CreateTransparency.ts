import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transparency tables (docs/transparency.md), with an index for every filter and sort the read routes use. */
export class CreateTransparency1764300000000 implements MigrationInterface {
  name = 'CreateTransparency1764300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "ai_decisions" ("id" uuid NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "model_name" character varying(100) NOT NULL, "symbol" character varying(20) NOT NULL, "direction" character varying(10) NOT NULL, "confidence" numeric NOT NULL, "price_target" numeric, "time_horizon" character varying(32), "reasoning" text, "outcome" character varying(20) NOT NULL DEFAULT \'pending\', "actual_return" numeric, "features" jsonb NOT NULL DEFAULT \'{}\', CONSTRAINT "PK_4824e83ce31a5463a5b75d9737d" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_ai_decisions_outcome_timestamp" ON "ai_decisions"  ("outcome", "timestamp")',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_ai_decisions_symbol_timestamp" ON "ai_decisions"  ("symbol", "timestamp")',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_ai_decisions_model_timestamp" ON "ai_decisions"  ("model_name", "timestamp")',
    );
    await queryRunner.query('CREATE INDEX "idx_ai_decisions_timestamp" ON "ai_decisions"  ("timestamp", "id")');
    await queryRunner.query(
      'CREATE TABLE "backtests" ("id" uuid NOT NULL, "name" character varying(200) NOT NULL, "description" text, "strategy" character varying(100) NOT NULL, "start_date" TIMESTAMP WITH TIME ZONE NOT NULL, "end_date" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(20) NOT NULL, "initial_capital" numeric NOT NULL, "final_equity" numeric NOT NULL, "total_return" numeric NOT NULL, "total_return_percent" numeric NOT NULL, "sharpe_ratio" numeric, "sortino_ratio" numeric, "max_drawdown" numeric NOT NULL, "max_drawdown_percent" numeric NOT NULL, "calmar_ratio" numeric, "win_rate" numeric, "profit_factor" numeric, "total_trades" integer NOT NULL, "winning_trades" integer NOT NULL, "losing_trades" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3dda2caf2606d9ad764e80de216" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "idx_backtests_created_at" ON "backtests"  ("created_at", "id")');
    await queryRunner.query(
      'CREATE TABLE "performance_snapshots" ("id" uuid NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "total_equity" numeric NOT NULL, "cash_balance" numeric NOT NULL, "invested" numeric NOT NULL, "total_pnl" numeric NOT NULL, "total_pnl_percent" numeric NOT NULL, "day_pnl" numeric NOT NULL, "day_pnl_percent" numeric NOT NULL, "open_orders" integer NOT NULL DEFAULT \'0\', CONSTRAINT "PK_fe51f348099bb6a07df7816727b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_performance_snapshots_timestamp" ON "performance_snapshots"  ("timestamp")',
    );
    await queryRunner.query(
      'CREATE TABLE "positions" ("symbol" character varying(20) NOT NULL, "side" character varying(5) NOT NULL, "size" numeric NOT NULL, "entry_price" numeric NOT NULL, "current_price" numeric NOT NULL, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a93efc672c7635dd4f50925af45" PRIMARY KEY ("symbol"))',
    );
    await queryRunner.query(
      'CREATE TABLE "trade_events" ("id" uuid NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "symbol" character varying(20) NOT NULL, "event_type" character varying(20) NOT NULL, "side" character varying(4) NOT NULL, "quantity" numeric NOT NULL, "price" numeric NOT NULL, "total_value" numeric NOT NULL, "fee" numeric NOT NULL DEFAULT \'0\', "realized_pnl" numeric, "status" character varying(20) NOT NULL, "order_type" character varying(20), "strategy" character varying(100), "data" jsonb NOT NULL DEFAULT \'{}\', CONSTRAINT "PK_6bdd83d0ac1f92f9686dbe8483c" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_trade_events_type_timestamp" ON "trade_events"  ("event_type", "timestamp")',
    );
    await queryRunner.query(
      'CREATE INDEX "idx_trade_events_symbol_timestamp" ON "trade_events"  ("symbol", "timestamp")',
    );
    await queryRunner.query('CREATE INDEX "idx_trade_events_timestamp" ON "trade_events"  ("timestamp", "id")');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Dropping a table drops its indexes.
    await queryRunner.query('DROP TABLE "trade_events"');
    await queryRunner.query('DROP TABLE "positions"');
    await queryRunner.query('DROP TABLE "performance_snapshots"');
    await queryRunner.query('DROP TABLE "backtests"');
    await queryRunner.query('DROP TABLE "ai_decisions"');
  }
}
