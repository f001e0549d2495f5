import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KeyChanges1765500000000 implements MigrationInterface {
  name = 'KeyChanges1765500000000';

  // Two-phase key changes (issue 8). A staged change is the same private key
  // wrapped anew, sealed under a storage key like the blob (its additional data
  // names this table and the change id). It stays until the server's committed
  // change is applied (it and every other change of its base version go) or its
  // owner abandons it: the keyserver never drops one on its own. An applied
  // change leaves its id and the version it made, so a late apply request
  // answers which version is current. Both go with the blob (account deletion).
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE key_changes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES encrypted_private_keys (user_id) ON DELETE CASCADE,
        base_version integer NOT NULL CONSTRAINT key_changes_base_version_positive CHECK (base_version >= 1),
        storage_key_id text NOT NULL,
        sealed_blob bytea NOT NULL,
        kdf_algorithm text NOT NULL CONSTRAINT key_changes_kdf_algorithm CHECK (kdf_algorithm = 'argon2id'),
        kdf_memory_kib integer NOT NULL CONSTRAINT key_changes_kdf_memory CHECK (kdf_memory_kib BETWEEN 19456 AND 4194304),
        kdf_iterations integer NOT NULL CONSTRAINT key_changes_kdf_iterations CHECK (kdf_iterations BETWEEN 2 AND 100),
        kdf_parallelism integer NOT NULL CONSTRAINT key_changes_kdf_parallelism CHECK (kdf_parallelism BETWEEN 1 AND 16),
        public_key_fingerprint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX key_changes_user ON key_changes (user_id, created_at, id)`);
    await db.query(`
      CREATE TABLE applied_key_changes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES encrypted_private_keys (user_id) ON DELETE CASCADE,
        version integer NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX applied_key_changes_user ON applied_key_changes (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE applied_key_changes`);
    await db.query(`DROP TABLE key_changes`);
  }
}
