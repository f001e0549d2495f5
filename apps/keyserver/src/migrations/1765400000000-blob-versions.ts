import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BlobVersions1765400000000 implements MigrationInterface {
  name = 'BlobVersions1765400000000';

  // The blob's version (issue 8, key changes): 1 for the first blob, also while
  // the key is pending; +1 each time a committed key change is applied.
  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE encrypted_private_keys ADD COLUMN version integer NOT NULL DEFAULT 1 CONSTRAINT encrypted_private_keys_version_positive CHECK (version >= 1)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE encrypted_private_keys DROP COLUMN version`);
  }
}
