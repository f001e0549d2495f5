import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Secrets1765700000000 implements MigrationInterface {
  name = 'Secrets1765700000000';

  // Shared secrets (issue 12): per secret, its versions (each a commitment),
  // its members, and per version one envelope per member (the secret sealed
  // to that member's key; the server cannot open it). A deleted secret keeps
  // its row, emptied, so that its id is never used again.
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE secrets (
        id uuid PRIMARY KEY,
        name text,
        current_version integer CONSTRAINT secrets_version_positive CHECK (current_version >= 1),
        rotation_required boolean NOT NULL DEFAULT false,
        -- Who created it and a digest of the request, so that only an identical retry answers 201 again.
        created_by uuid NOT NULL,
        create_digest bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT secrets_live_complete CHECK (deleted_at IS NOT NULL OR (name IS NOT NULL AND current_version IS NOT NULL))
      )`);
    await db.query(`
      CREATE TABLE secret_versions (
        secret_id uuid NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
        version integer NOT NULL CONSTRAINT secret_versions_positive CHECK (version >= 1),
        commitment text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (secret_id, version)
      )`);
    await db.query(`
      CREATE TABLE secret_members (
        secret_id uuid NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role text NOT NULL CONSTRAINT secret_members_role CHECK (role IN ('owner', 'member')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (secret_id, user_id)
      )`);
    await db.query(`CREATE INDEX secret_members_user ON secret_members (user_id, secret_id)`);
    await db.query(`
      CREATE TABLE secret_envelopes (
        secret_id uuid NOT NULL,
        version integer NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        -- No reference: the sender may leave, and the envelope stays readable.
        sender_id uuid NOT NULL,
        key_fingerprint text NOT NULL,
        enc bytea NOT NULL,
        ciphertext bytea NOT NULL,
        PRIMARY KEY (secret_id, version, user_id),
        FOREIGN KEY (secret_id, version) REFERENCES secret_versions (secret_id, version) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX secret_envelopes_user ON secret_envelopes (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE secret_envelopes`);
    await db.query(`DROP TABLE secret_members`);
    await db.query(`DROP TABLE secret_versions`);
    await db.query(`DROP TABLE secrets`);
  }
}
