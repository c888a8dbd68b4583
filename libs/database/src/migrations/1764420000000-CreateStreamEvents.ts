import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The live stream's outbox (entity: libs/stream StreamEventEntity). */
export class CreateStreamEvents1764420000000 implements MigrationInterface {
  name = 'CreateStreamEvents1764420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "stream_events" ("id" BIGSERIAL NOT NULL, "topic" character varying(16) NOT NULL, "payload" json NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_276e8147635413cdf7a0bbf8586" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_stream_events_created_at" ON "stream_events" ("created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "stream_events"`);
  }
}
