import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity hardening: a family's login time (absolute session lifetime), an exact revocation
 * poll key (the writing transaction's id), and usernames unique case-insensitively.
 * Fails on a database holding two usernames that differ only in case: rename one first.
 */
export class IdentityHardening1764400000000 implements MigrationInterface {
  name = 'IdentityHardening1764400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "session_started_at" TIMESTAMP WITH TIME ZONE`);
    // Existing families: their oldest surviving token is the best record of the login.
    await queryRunner.query(
      `UPDATE "refresh_tokens" r SET "session_started_at" = f.started FROM (SELECT "family_id", min("issued_at") AS started FROM "refresh_tokens" GROUP BY "family_id") f WHERE f."family_id" = r."family_id"`,
    );
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "session_started_at" SET NOT NULL`);

    await queryRunner.query(`DROP INDEX "idx_revoked_tokens_revoked_at"`);
    // A function, so the column default reads back as written (TypeORM compares defaults as text).
    await queryRunner.query(
      `CREATE FUNCTION "current_tx_id"() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT pg_current_xact_id()::text::bigint'`,
    );
    // Rows already there get 0: below every horizon, and read at start with everything else.
    await queryRunner.query(`ALTER TABLE "revoked_tokens" ADD "tx_id" bigint NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "revoked_tokens" ALTER COLUMN "tx_id" SET DEFAULT current_tx_id()`);
    await queryRunner.query(`CREATE INDEX "idx_revoked_tokens_tx_id" ON "revoked_tokens" ("tx_id")`);

    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_username_lower" ON "users" (lower("username"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_users_username_lower"`);
    await queryRunner.query(`DROP INDEX "idx_revoked_tokens_tx_id"`);
    await queryRunner.query(`ALTER TABLE "revoked_tokens" DROP COLUMN "tx_id"`);
    await queryRunner.query(`DROP FUNCTION "current_tx_id"()`);
    await queryRunner.query(`CREATE INDEX "idx_revoked_tokens_revoked_at" ON "revoked_tokens" ("revoked_at")`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "session_started_at"`);
  }
}
