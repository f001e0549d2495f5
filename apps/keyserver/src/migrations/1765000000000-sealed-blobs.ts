import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SealedBlobs1765000000000 implements MigrationInterface {
  name = 'SealedBlobs1765000000000';

  // Blobs are now stored sealed under a storage key (sealed_blob, with the
  // key's id). Rows written before keep their plaintext columns until they are
  // rewritten; a row holds one form or the other, never both, never neither.
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE encrypted_private_keys
        ADD COLUMN storage_key_id text CONSTRAINT encrypted_private_keys_storage_key_id CHECK (storage_key_id ~ '^[A-Za-z0-9._-]{1,32}$'),
        ADD COLUMN sealed_blob bytea,
        ALTER COLUMN encrypted_private_key DROP NOT NULL,
        ALTER COLUMN iv DROP NOT NULL,
        ALTER COLUMN salt DROP NOT NULL,
        ADD CONSTRAINT encrypted_private_keys_sealed_with_key CHECK ((sealed_blob IS NULL) = (storage_key_id IS NULL)),
        ADD CONSTRAINT encrypted_private_keys_one_form CHECK (
          (sealed_blob IS NOT NULL AND encrypted_private_key IS NULL AND iv IS NULL AND salt IS NULL) OR
          (sealed_blob IS NULL AND encrypted_private_key IS NOT NULL AND iv IS NOT NULL AND salt IS NOT NULL))`);
  }

  down(): Promise<void> {
    // Sealed rows cannot go back without the keys: this migration is not reversed in SQL.
    return Promise.reject(new Error('SealedBlobs1765000000000 cannot be reverted'));
  }
}
