import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccessTokensBelongToSessions1764979200000 implements MigrationInterface {
  name = 'AccessTokensBelongToSessions1764979200000';

  // A token must not outlive the session that minted it: logging out (or the
  // session's deletion) takes its tokens with it. Existing tokens live at most
  // 60 seconds and have no session to bind to, so they are dropped.
  async up(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM access_tokens`);
    await db.query(
      `ALTER TABLE access_tokens ADD COLUMN session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE`,
    );
    await db.query(`CREATE INDEX access_tokens_session_id_idx ON access_tokens (session_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE access_tokens DROP COLUMN session_id`);
  }
}
