import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BlobsBoundToPublicKeys1764979200000 implements MigrationInterface {
  name = 'BlobsBoundToPublicKeys1764979200000';

  async up(db: QueryRunner): Promise<void> {
    // The public key a blob's private key belongs to. Null only for blobs stored
    // before this column: they count as bound to no key, so they can be repaired.
    await db.query(`
      ALTER TABLE encrypted_private_keys ADD COLUMN public_key_fingerprint char(64)
        CONSTRAINT encrypted_private_keys_public_key_fingerprint_hex CHECK (public_key_fingerprint ~ '^[0-9a-f]{64}$')`);
    // Bounds every client can compute (hash-wasm fails at 2 GiB). NOT VALID:
    // enforced from now on, without failing on a blob stored under the old ones.
    for (const [name, check] of [
      ['kdf_memory', 'kdf_memory_kib BETWEEN 19456 AND 1048576'],
      ['kdf_iterations', 'kdf_iterations BETWEEN 2 AND 10'],
      ['kdf_parallelism', 'kdf_parallelism BETWEEN 1 AND 4'],
    ]) {
      await db.query(`ALTER TABLE encrypted_private_keys DROP CONSTRAINT encrypted_private_keys_${name}`);
      await db.query(
        `ALTER TABLE encrypted_private_keys ADD CONSTRAINT encrypted_private_keys_${name} CHECK (${check}) NOT VALID`,
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const [name, check] of [
      ['kdf_memory', 'kdf_memory_kib BETWEEN 19456 AND 4194304'],
      ['kdf_iterations', 'kdf_iterations BETWEEN 2 AND 100'],
      ['kdf_parallelism', 'kdf_parallelism BETWEEN 1 AND 16'],
    ]) {
      await db.query(`ALTER TABLE encrypted_private_keys DROP CONSTRAINT encrypted_private_keys_${name}`);
      await db.query(
        `ALTER TABLE encrypted_private_keys ADD CONSTRAINT encrypted_private_keys_${name} CHECK (${check})`,
      );
    }
    await db.query(`ALTER TABLE encrypted_private_keys DROP COLUMN public_key_fingerprint`);
  }
}
