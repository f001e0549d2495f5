import { CREATE_EVENTS_TABLE, DROP_EVENTS_TABLE } from '@app/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Events1765300000000 implements MigrationInterface {
  name = 'Events1765300000000';

  // Each user's log: registrations, logins, sessions, keys (issue 8, "Events").
  async up(db: QueryRunner): Promise<void> {
    await db.query(CREATE_EVENTS_TABLE);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(DROP_EVENTS_TABLE);
  }
}
