import { CREATE_RATE_LIMITS_TABLE } from '@app/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RateLimits1765100000000 implements MigrationInterface {
  name = 'RateLimits1765100000000';

  // The rate-limit counters, when no Redis is configured (shared by every instance on this database).
  async up(db: QueryRunner): Promise<void> {
    await db.query(CREATE_RATE_LIMITS_TABLE);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE rate_limits`);
  }
}
