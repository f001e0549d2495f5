import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KeyChanges1765500000000 implements MigrationInterface {
  name = 'KeyChanges1765500000000';

  // The server's word on two-phase key changes (issue 8): which staged change
  // (ids drawn by the keyserver) is committed, from which session, on which
  // version; and which are abandoned, so they can never be committed. One
  // committed change per version: two devices cannot both move it.
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE key_changes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        state text NOT NULL CONSTRAINT key_changes_state CHECK (state IN ('committed', 'abandoned')),
        base_version integer CONSTRAINT key_changes_base_version_positive CHECK (base_version >= 1),
        -- The committing session, so that only its retry is answered again; no
        -- reference: the record outlives the session.
        session_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT key_changes_committed_complete
          CHECK (state <> 'committed' OR (base_version IS NOT NULL AND session_id IS NOT NULL))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX key_changes_one_per_version ON key_changes (user_id, base_version) WHERE state = 'committed'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE key_changes`);
  }
}
