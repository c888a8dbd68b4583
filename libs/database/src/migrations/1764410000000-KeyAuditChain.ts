import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit chain becomes keyed (HMAC-SHA256; docs/observability.md). Existing records keep their
 * plain SHA-256 links, marked `sha256`; the application seals where they end (the
 * `legacy_boundary` state) under the key at its first start. `chain_alg` has no default, so
 * a replica of an older version cannot append unkeyed records after the upgrade: its
 * inserts fail and its records wait in its queue or spill file instead.
 */
export class KeyAuditChain1764410000000 implements MigrationInterface {
  name = 'KeyAuditChain1764410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "audit_records" ADD "chain_alg" character varying(16) NOT NULL DEFAULT 'sha256'`,
    );
    await queryRunner.query(`ALTER TABLE "audit_records" ALTER COLUMN "chain_alg" DROP DEFAULT`);
    await queryRunner.query(`ALTER TABLE "audit_records" ADD "key_id" character varying(16)`);
    await queryRunner.query(
      `CREATE TABLE "audit_chain_state" ("name" character varying(32) NOT NULL, "seq" bigint NOT NULL, "hash" character(64) NOT NULL, "key_id" character varying(16) NOT NULL, "tag" character(64) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ab4ec881fe383f60e88d386864b" PRIMARY KEY ("name"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_chain_state"`);
    await queryRunner.query(`ALTER TABLE "audit_records" DROP COLUMN "key_id"`);
    await queryRunner.query(`ALTER TABLE "audit_records" DROP COLUMN "chain_alg"`);
  }
}
