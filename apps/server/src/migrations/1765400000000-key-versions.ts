import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KeyVersions1765400000000 implements MigrationInterface {
  name = 'KeyVersions1765400000000';

  // The key's version (issue 8, key changes): null while pending, 1 at
  // confirmation, +1 per committed key change; the keyserver's blob carries the same.
  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE public_keys ADD COLUMN key_version integer CONSTRAINT public_keys_key_version_positive CHECK (key_version >= 1)`,
    );
    await db.query(`UPDATE public_keys SET key_version = 1 WHERE confirmed_at IS NOT NULL`);
    await db.query(
      `ALTER TABLE public_keys ADD CONSTRAINT public_keys_versioned_when_confirmed CHECK ((confirmed_at IS NULL) = (key_version IS NULL))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE public_keys DROP COLUMN key_version`);
  }
}
