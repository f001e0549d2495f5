import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PruningIndexes1765600000000 implements MigrationInterface {
  name = 'PruningIndexes1765600000000';

  // Pruning deletes in small batches by expiry: each batch must find its rows
  // by index, not by scanning the table.
  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX rate_limits_expire ON rate_limits (expire)`);
    await db.query(`CREATE INDEX applied_key_changes_user_version ON applied_key_changes (user_id, version)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX applied_key_changes_user_version`);
    await db.query(`DROP INDEX rate_limits_expire`);
  }
}
