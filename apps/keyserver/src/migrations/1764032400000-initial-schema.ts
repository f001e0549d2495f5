import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764032400000 implements MigrationInterface {
  name = 'InitialSchema1764032400000';

  // The bounds repeat the protocol's (libs/crypto) as they stood when written:
  // a migration is history and must not move when the code does.
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE encrypted_private_keys (
        user_id uuid PRIMARY KEY,
        encrypted_private_key bytea NOT NULL
          CONSTRAINT encrypted_private_keys_size CHECK (octet_length(encrypted_private_key) BETWEEN 17 AND 4096),
        iv bytea NOT NULL CONSTRAINT encrypted_private_keys_iv_size CHECK (octet_length(iv) = 12),
        salt bytea NOT NULL CONSTRAINT encrypted_private_keys_salt_size CHECK (octet_length(salt) BETWEEN 16 AND 64),
        kdf_algorithm text NOT NULL CONSTRAINT encrypted_private_keys_kdf_algorithm CHECK (kdf_algorithm = 'argon2id'),
        kdf_memory_kib integer NOT NULL
          CONSTRAINT encrypted_private_keys_kdf_memory CHECK (kdf_memory_kib BETWEEN 19456 AND 4194304),
        kdf_iterations integer NOT NULL
          CONSTRAINT encrypted_private_keys_kdf_iterations CHECK (kdf_iterations BETWEEN 2 AND 100),
        kdf_parallelism integer NOT NULL
          CONSTRAINT encrypted_private_keys_kdf_parallelism CHECK (kdf_parallelism BETWEEN 1 AND 16),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE encrypted_private_keys`);
  }
}
