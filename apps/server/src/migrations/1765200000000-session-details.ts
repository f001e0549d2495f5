import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionDetails1765200000000 implements MigrationInterface {
  name = 'SessionDetails1765200000000';

  // What a user sees of their sessions: when each was last used, and from
  // where and what it was opened. Written at most once a minute per session.
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE sessions
        ADD COLUMN last_used_at timestamptz,
        ADD COLUMN client_address text CONSTRAINT sessions_client_address_length CHECK (length(client_address) <= 64),
        ADD COLUMN user_agent text CONSTRAINT sessions_user_agent_length CHECK (length(user_agent) <= 256)`);
    await db.query(`UPDATE sessions SET last_used_at = created_at`);
    await db.query(
      `ALTER TABLE sessions ALTER COLUMN last_used_at SET NOT NULL, ALTER COLUMN last_used_at SET DEFAULT now()`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN last_used_at, DROP COLUMN client_address, DROP COLUMN user_agent`);
  }
}
