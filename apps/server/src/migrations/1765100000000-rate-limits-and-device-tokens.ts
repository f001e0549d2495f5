import { CREATE_RATE_LIMITS_TABLE } from '@app/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RateLimitsAndDeviceTokens1765100000000 implements MigrationInterface {
  name = 'RateLimitsAndDeviceTokens1765100000000';

  // rate_limits: the counters, when no Redis is configured (shared by every
  // instance on this database). device_tokens: a device that logged in once
  // is not locked out by a stranger's guesses (SHA-256 of the token only).
  async up(db: QueryRunner): Promise<void> {
    await db.query(CREATE_RATE_LIMITS_TABLE);
    await db.query(`
      CREATE TABLE device_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE CONSTRAINT device_tokens_token_hash_length CHECK (octet_length(token_hash) = 32),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX device_tokens_user_id ON device_tokens (user_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE device_tokens`);
    await db.query(`DROP TABLE rate_limits`);
  }
}
