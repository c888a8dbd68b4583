import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The hash-chained audit trail (docs/observability.md; entity: libs/audit AuditRecordEntity). */
export class CreateAuditRecords1764300000600 implements MigrationInterface {
  name = 'CreateAuditRecords1764300000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_records" ("id" uuid NOT NULL, "seq" BIGSERIAL NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "request_id" character varying(128), "actor" character varying(255) NOT NULL, "token_id" character varying(128), "ip" character varying(64), "method" character varying(16), "route" character varying(255), "path" character varying(2048), "status" integer, "duration_ms" numeric(12,3), "user_agent" character varying(512), "event" character varying(64) NOT NULL, "detail" jsonb, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_f903ebdf175f062be69747b0f18" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_audit_records_seq" ON "audit_records" ("seq")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_records_event" ON "audit_records" ("event")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_records_actor" ON "audit_records" ("actor")`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_records_occurred_at" ON "audit_records" ("occurred_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_records"`);
  }
}
