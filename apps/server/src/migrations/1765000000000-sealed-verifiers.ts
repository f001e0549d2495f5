import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SealedVerifiers1765000000000 implements MigrationInterface {
  name = 'SealedVerifiers1765000000000';

  // Login verifiers are now stored sealed under a storage key (sealed_verifier,
  // with the key's id). Rows written before keep password_hash until they are
  // rewrapped; a row holds one form or the other, never both, never neither.
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE users
        ADD COLUMN verifier_key_id text CONSTRAINT users_verifier_key_id CHECK (verifier_key_id ~ '^[A-Za-z0-9._-]{1,32}$'),
        ADD COLUMN sealed_verifier bytea,
        ALTER COLUMN password_hash DROP NOT NULL,
        ADD CONSTRAINT users_verifier_one_form CHECK (
          (sealed_verifier IS NOT NULL AND verifier_key_id IS NOT NULL AND password_hash IS NULL) OR
          (sealed_verifier IS NULL AND verifier_key_id IS NULL AND password_hash IS NOT NULL))`);
  }

  down(): Promise<void> {
    // Sealed verifiers cannot go back without the keys: this migration is not reversed in SQL.
    return Promise.reject(new Error('SealedVerifiers1765000000000 cannot be reverted'));
  }
}
