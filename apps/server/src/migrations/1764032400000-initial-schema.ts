import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764032400000 implements MigrationInterface {
  name = 'InitialSchema1764032400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL CONSTRAINT users_email_key UNIQUE
          CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email))),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE
          CONSTRAINT sessions_token_hash_sha256 CHECK (octet_length(token_hash) = 32),
        secured_at timestamptz,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`);
    await db.query(`CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)`);
    await db.query(`
      CREATE TABLE public_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL CONSTRAINT public_keys_user_id_key UNIQUE
          REFERENCES users (id) ON DELETE CASCADE,
        algorithm text NOT NULL,
        public_key bytea NOT NULL CONSTRAINT public_keys_public_key_x25519 CHECK (octet_length(public_key) = 32),
        fingerprint char(64) NOT NULL,
        confirmed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE access_tokens (
        token_hash bytea PRIMARY KEY CONSTRAINT access_tokens_token_hash_sha256 CHECK (octet_length(token_hash) = 32),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        spent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX access_tokens_user_id_idx ON access_tokens (user_id)`);
    await db.query(`CREATE INDEX access_tokens_expires_at_idx ON access_tokens (expires_at)`);
    await db.query(`
      CREATE TABLE session_challenges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        public_key_id uuid NOT NULL REFERENCES public_keys (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL CONSTRAINT session_challenges_token_hash_sha256 CHECK (octet_length(token_hash) = 32),
        expires_at timestamptz NOT NULL,
        answered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX session_challenges_session_id_idx ON session_challenges (session_id)`);
    await db.query(`CREATE INDEX session_challenges_public_key_id_idx ON session_challenges (public_key_id)`);
    await db.query(`CREATE INDEX session_challenges_expires_at_idx ON session_challenges (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE session_challenges`);
    await db.query(`DROP TABLE access_tokens`);
    await db.query(`DROP TABLE public_keys`);
    await db.query(`DROP TABLE sessions`);
    await db.query(`DROP TABLE users`);
  }
}
